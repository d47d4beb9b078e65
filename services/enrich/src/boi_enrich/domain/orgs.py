"""Well-known funders of international opportunities, with the names they go by. A pattern in lower case
is matched on the folded text; one with capitals is an acronym matched case-sensitively on the raw text
(``BID`` the bank, not "bid")."""

from dataclasses import dataclass

from boi_enrich.domain.lexicon import Lexicon
from boi_enrich.domain.text import Doc


@dataclass(frozen=True)
class Org:
    name_es: str
    name_en: str
    pattern: str
    colombian: bool = False
    programme: bool = False  # a programme name (Erasmus Mundus, COSME) rather than the organisation


def _org(
    pattern: str, es: str, en: str | None = None, colombian: bool = False, programme: bool = False
) -> Org:
    return Org(es, en or es, pattern, colombian, programme)


ORGS: tuple[Org, ...] = (
    # Colombia
    _org("icetex", "ICETEX", colombian=True),
    _org("colfuturo|fundacion para el futuro de colombia", "COLFUTURO", colombian=True),
    _org("minciencias|ministerio de ciencia,? tecnologia e innovacion", "Minciencias", colombian=True),
    _org("colciencias", "Colciencias", colombian=True),
    _org("comision fulbright colombia|fulbright colombia", "Fulbright Colombia", colombian=True),
    _org("apc[- ]colombia|agencia presidencial de cooperacion", "APC-Colombia", colombian=True),
    _org("ministerio de educacion nacional|mineducacion", "Ministerio de Educación Nacional", colombian=True),
    _org("mintic|ministerio de tecnologias de la informacion", "MinTIC", colombian=True),
    _org("servicio nacional de aprendizaje|SENA", "SENA", colombian=True),
    _org("procolombia", "ProColombia", colombian=True),
    _org("alcaldia (?:mayor )?de bogota", "Alcaldía de Bogotá", colombian=True),
    _org("idartes", "IDARTES", colombian=True),
    _org("banco de la republica", "Banco de la República", colombian=True),
    _org("ministerio de cultura de colombia|mincultura", "Ministerio de Cultura", colombian=True),
    # Governments and their agencies
    _org("aecid|agencia espanola de cooperacion internacional", "AECID"),
    _org("fundacion carolina", "Fundación Carolina"),
    _org("amexcid|agencia mexicana de cooperacion", "AMEXCID"),
    _org("mext|monbukagakusho", "MEXT"),
    _org("jica|japan international cooperation agency", "JICA"),
    _org("koica|korea international cooperation agency", "KOICA"),
    _org("niied|global korea scholarship", "NIIED (Global Korea Scholarship)"),
    _org("daad|servicio aleman de intercambio academico|german academic exchange service", "DAAD"),
    _org("chevening", "Chevening"),
    _org("commonwealth scholarship commission", "Commonwealth Scholarship Commission"),
    _org("british council", "British Council"),
    _org("campus france", "Campus France"),
    _org("usaid", "USAID"),
    _org("fulbright", "Fulbright"),
    _org("nuffic", "Nuffic"),
    _org("giz|deutsche gesellschaft fur internationale zusammenarbeit", "GIZ"),
    _org("agence francaise de developpement|AFD", "Agence Française de Développement"),
    _org("agcid|agencia chilena de cooperacion", "AGCID Chile"),
    _org("australia awards", "Australia Awards"),
    _org("swiss government excellence scholarships?", "Gobierno de Suiza", "Swiss Government"),
    _org("stipendium hungaricum", "Stipendium Hungaricum", programme=True),
    _org("turkiye burslari", "Türkiye Bursları", programme=True),
    _org("china scholarship council", "China Scholarship Council"),
    _org("xunta de galicia", "Xunta de Galicia"),
    # International and multilateral
    _org(
        "comision europea|european commission|commission europeenne|EC(?= - )|DG [A-Z]{3,5}",
        "Comisión Europea",
        "European Commission",
    ),
    _org(
        "cosme|horizon (?:2020|europe)|horizonte europa|europeaid|creative europe|europa creativa",
        "Comisión Europea",
        "European Commission",
        programme=True,
    ),
    _org("erasmus mundus", "Erasmus Mundus", programme=True),
    _org(r"erasmus\+|erasmus plus", "Erasmus+", programme=True),
    _org("marie sklodowska-curie|MSCA", "Marie Skłodowska-Curie Actions", programme=True),
    _org("union europea|european union", "Unión Europea", "European Union"),
    _org("organizacion de (?:los )?estados americanos|OEA|organization of american states|OAS", "OEA", "OAS"),
    _org("organizacion de estados iberoamericanos|OEI", "OEI"),
    _org("segib|secretaria general iberoamericana", "SEGIB"),
    _org("unesco", "UNESCO"),
    _org("pnud|undp|programa de las naciones unidas para el desarrollo", "PNUD", "UNDP"),
    _org("unicef", "UNICEF"),
    _org("banco interamericano de desarrollo|inter-american development bank|BID|IDB", "BID", "IDB"),
    _org("banco de desarrollo de america latina|CAF", "CAF"),
    _org("banco mundial|world bank", "Banco Mundial", "World Bank"),
    _org("inter-?american foundation", "Inter-American Foundation"),
    _org("mercociudades", "Mercociudades"),
    _org("alianza del pacifico|pacific alliance", "Alianza del Pacífico", "Pacific Alliance"),
    _org("cglu|uclg|ciudades y gobiernos locales unidos|united cities and local governments", "CGLU", "UCLG"),
    _org("iclei", "ICLEI"),
    _org("c40 cities|C40", "C40"),
    _org("naciones unidas|united nations|ONU", "Naciones Unidas", "United Nations"),
    # Foundations and trusts
    _org("rhodes trust|rhodes scholarships?", "Rhodes Trust"),
    _org("fundacion rockefeller|rockefeller foundation", "Fundación Rockefeller", "Rockefeller Foundation"),
    _org("bill (?:&|and|y) melinda gates foundation|gates foundation|fundacion gates", "Gates Foundation"),
    _org("ford foundation|fundacion ford", "Ford Foundation"),
    _org("open society foundations?", "Open Society Foundations"),
    _org("wellcome trust", "Wellcome Trust"),
    _org("national geographic society", "National Geographic Society"),
    _org("fundacion bbva", "Fundación BBVA"),
    _org("becas santander|banco santander", "Banco Santander"),
    _org("idrc|international development research centre", "IDRC"),
)

_LEXICON: Lexicon[int] = Lexicon((i, org.pattern) for i, org in enumerate(ORGS))


def find_orgs(doc: Doc) -> list[tuple[Org, list[int]]]:
    """The known organisations the text names, each with where (in order of first mention)."""
    where: dict[int, list[int]] = {}
    for i, start, _ in _LEXICON.find(doc):
        where.setdefault(i, []).append(start)
    return [(ORGS[i], hits) for i, hits in where.items()]
