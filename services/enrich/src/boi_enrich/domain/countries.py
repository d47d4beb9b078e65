"""Country and region names in Spanish and English, with the Spanish name the catalog shows. Names that are
also ordinary words (Spanish "irán", the name "Jordan") are written with capitals: matched case-sensitively.
`INCLUDES_COLOMBIA` are the names whose eligibility includes people of Colombia."""

from boi_enrich.domain.lexicon import Lexicon

_DATA = """
Afganistán=afganistan|afghanistan; Albania=albania; Alemania=alemania|germany; Andorra=andorra; Angola=angola;
Antigua y Barbuda=antigua y barbuda|antigua and barbuda;
Arabia Saudita=arabia saudita|arabia saudi|saudi arabia;
Argelia=argelia|algeria; Argentina=argentina; Armenia=armenia; Australia=australia; Austria=austria;
Azerbaiyán=azerbaiyan|azerbaijan; Bahamas=bahamas; Bangladés=banglades|bangladesh; Barbados=barbados;
Baréin=barein|bahrain; Bélgica=belgica|belgium; Belice=belice|belize; Benín=benin;
Bielorrusia=bielorrusia|belarus;
Bolivia=bolivia; Bosnia y Herzegovina=bosnia; Botsuana=botsuana|botswana; Brasil=brasil|brazil; Brunéi=brunei;
Bulgaria=bulgaria; Burkina Faso=burkina faso; Burundi=burundi; Bután=butan|bhutan;
Cabo Verde=cabo verde|cape verde;
Camboya=camboya|cambodia; Camerún=camerun|cameroon; Canadá=canada; Catar=catar|qatar; Chad=Chad; Chile=chile;
China=china; Chipre=chipre|cyprus; Colombia=colombia; Comoras=comoras|comoros; Congo=congo; Corea=corea|korea;
Costa de Marfil=costa de marfil|ivory coast|cote d'ivoire; Costa Rica=costa rica; Croacia=croacia|croatia;
Cuba=cuba; Dinamarca=dinamarca|denmark; Dominica=dominica\\b(?!na); Ecuador=ecuador; Egipto=egipto|egypt;
El Salvador=el salvador; Emiratos Árabes Unidos=emiratos arabes|united arab emirates|uae; Eritrea=eritrea;
Eslovaquia=eslovaquia|slovakia; Eslovenia=eslovenia|slovenia; España=espana|spain;
Estados Unidos=estados unidos
|united states|U\\.S\\.|USA; Estonia=estonia; Esuatini=esuatini|eswatini|swaziland; Etiopía=etiopia|ethiopia;
Filipinas=filipinas|philippines; Finlandia=finlandia|finland; Fiyi=fiyi|fiji; Francia=francia|france;
Gabón=gabon;
Gambia=gambia; Georgia=georgia; Ghana=ghana; Granada=Grenada; Grecia=grecia|greece; Guatemala=guatemala;
Guinea=guinea; Guyana=guyana; Haití=haiti; Honduras=honduras; Hungría=hungria|hungary; India=india\\b;
Indonesia=indonesia; Irak=irak|iraq; Irán=Irán|Iran|IRÁN|IRAN; Irlanda=irlanda|ireland;
Islandia=islandia|iceland;
Israel=israel; Italia=italia|italy; Jamaica=jamaica; Japón=japon|japan; Jordania=jordania|Jordan;
Kazajistán=kazajistan
|kazakhstan; Kenia=kenia|kenya; Kirguistán=kirguistan|kyrgyzstan; Kiribati=kiribati; Kuwait=kuwait; Laos=laos;
Lesoto=lesoto|lesotho; Letonia=letonia|latvia; Líbano=libano|lebanon; Liberia=liberia; Libia=libia|libya;
Liechtenstein=liechtenstein; Lituania=lituania|lithuania; Luxemburgo=luxemburgo|luxembourg;
Madagascar=madagascar;
Malasia=malasia|malaysia; Malaui=malaui|malawi; Maldivas=maldivas|maldives; Malí=Malí|Mali; Malta=malta;
Marruecos=marruecos|morocco; Mauricio=mauritius; Mauritania=mauritania; México=mexico; Moldavia=moldavia
|moldova; Mónaco=monaco; Mongolia=mongolia; Montenegro=montenegro; Mozambique=mozambique;
Myanmar=myanmar|birmania;
Namibia=namibia; Nepal=nepal; Nicaragua=nicaragua; Níger=Níger|Niger; Nigeria=nigeria; Noruega=noruega|norway;
Nueva Zelanda=nueva zelanda|new zealand; Omán=oman\\b; Países Bajos=paises bajos|holanda|netherlands|holland;
Pakistán=pakistan; Palestina=palestina|palestine; Panamá=panama; Papúa Nueva Guinea=papua; Paraguay=paraguay;
Perú=peru\\b; Polonia=polonia|poland; Portugal=portugal; Reino Unido=reino unido|united kingdom|U\\.K\\.|UK;
República Centroafricana=republica centroafricana|central african republic;
República Checa=republica checa|chequia
|czech; República Dominicana=republica dominicana|dominican republic; Ruanda=ruanda|rwanda;
Rumania=rumania|romania;
Rusia=rusia|russia; Samoa=samoa; Senegal=senegal; Serbia=serbia; Sierra Leona=sierra leona|sierra leone;
Singapur=singapur|singapore; Siria=siria|syria; Somalia=somalia; Sri Lanka=sri lanka; Sudáfrica=sudafrica
|south africa; Sudán=sudan; Suecia=suecia|sweden; Suiza=suiza|switzerland; Surinam=surinam\\w*|suriname;
Tailandia=tailandia|thailand; Tanzania=tanzania; Tayikistán=tayikistan|tajikistan; Timor Oriental=timor;
Togo=Togo; Tonga=Tonga; Trinidad y Tobago=trinidad; Túnez=tunez|tunisia; Turquía=turquia|turkiye|Turkey;
Turkmenistán=turkmenistan; Ucrania=ucrania|ukraine; Uganda=uganda; Uruguay=uruguay; Uzbekistán=uzbekistan;
Vanuatu=vanuatu; Venezuela=venezuela; Vietnam=vietnam|viet nam; Yemen=yemen; Yibuti=yibuti|djibouti;
Zambia=zambia;
Zimbabue=zimbabue|zimbabwe;
América Latina y el Caribe=america latina|latinoamerica|latin america|iberoamerica; Américas=las americas
|the americas; Sudamérica=sudamerica|suramerica|south america; Unión Europea=union europea|european union|EU;
Commonwealth=commonwealth; África=africa\\b|african countries|paises africanos; Asia=asia\\b;
Europa=europa|europe\\b;
Oceanía=oceania; Medio Oriente=medio oriente|oriente medio|middle east; Todo el mundo=todo el mundo
|anywhere in the world|all over the world|all countries|any country|cualquier pais
"""
INCLUDES_COLOMBIA = frozenset(
    {"Colombia", "América Latina y el Caribe", "Américas", "Sudamérica", "Todo el mundo"}
)


def _entries() -> list[tuple[str, str]]:
    text = " ".join(_DATA.split("\n"))
    out = []
    for item in text.split(";"):
        name, _, pattern = item.strip().partition("=")
        if name:
            out.append((name, pattern.replace(" |", "|").strip()))
    return out


COUNTRIES: Lexicon[str] = Lexicon(_entries(), tail=r"(?![a-z])")
