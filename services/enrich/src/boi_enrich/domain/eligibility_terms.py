"""The words the Colombia eligibility rules look for, by kind: a sentence about who can apply (`cue`),
Colombia or Colombians named, a region or "all countries" that includes Colombia, restrictions and the
groups they restrict to, and nationality requirements that leave Colombia out."""

import re

SIGNALS: tuple[tuple[str, str], ...] = (
    # words that make a sentence about who can apply
    (
        "cue",
        r"elegib\w*|eligib\w*|pueden (?:postular|aplicar|participar|presentar|solicitar|ser)\w*|podran "
        r"(?:postular|participar|presentar|aplicar|solicitar|ser)\w*|dirigid[oa]s? a\b|abiert[oa]s? a\b"
        r"|open to\b"
        r"|can apply|may apply|can be from|are welcome|nacional(?:es|idad)?\b|ciudadan\w*|citizens?\b"
        r"|nationals?\b|residentes?\b|residents?\b|based in\b|located in\b|radicad\w*|con sede en"
        r"|incluid[oa]\b"
        r"|including\b|incluyendo\b|para (?:jovenes|estudiantes|profesionales|personas|organizaciones"
        r"|entidades"
        r"|funcionari\w*)|seleccionad\w*|selected\b|available to\b|disponibles? para|addressed to"
        r"|destinatari\w*"
        r"|beneficiari\w*|candidat[oa]s? de\b|applicants? from|only support|aimed at\b|intended for\b"
        r"|targeted at\b|destinad[oa]s? a\b|orientad[oa]s? a\b|nationalit(?:y|ies)\b"
        r"|(?:encouraged|invited|welcome) to apply|paises (?:miembros|participantes|elegibles)"
        r"|(?:participating|eligible|member) countries",
    ),
    (
        "demonym",
        r"colombian[oa]s\b|bogotan[oa]s\b|ser colombian[oa]\b|nacionalidad colombiana\b|colombians\b"
        r"|colombian "
        r"(?:citizens|nationals|students|researchers|applicants|professionals|organi[sz]ations|entities"
        r"|institutions|universities|women|youth|artists|residents)\b"
        r"|colombian (?:and|or) \w+ (?:nationals|citizens)\b",
    ),
    ("colombia", r"colombia\b|bogota\b"),
    (
        "latam",
        r"america latina|latinoamerica\w*|latin america\w*|iberoameric\w*|las americas|the americas"
        r"|south america|sudamerica|suramerica|americas del sur|lac\b|region andina|andean"
        r"|alianza del pacifico|estados? miembros? de la oea|oas member states?|member states of the oas"
        r"|organi[sz]ation of american states|paises miembros de la oea"
        r"|pacific alliance",
    ),
    (
        "world",
        r"todo el mundo|cualquier (?:pais|nacionalidad)|todas las nacionalidades|todos los paises"
        r"|all countries|all nationalities|any (?:country|nationality)|anywhere in the world"
        r"|all over the world"
        r"|from around the world|every part of the world|from all countries|nacionalidad \w+ o extranjera"
        r"|sin restriccion de nacionalidad|regardless of (?:their )?nationality"
        r"|independientemente de (?:su )?"
        r"nacionalidad|developing countries|paises en (?:via de )?desarrollo"
        r"|low-? (?:and|or) middle[- ]?income|lmics?\b"
        r"|global south|sur global|dac list|oda[- ]eligible|lista del cad|five continents|5 continents"
        r"|cinco continentes|todos los continentes|all continents|nacionalidad distinta a la (?!colombian)\w+"
        r"|nationality other than (?!colombian)\w+",
    ),
    (
        "only",
        r"solo\b|solamente|unicamente|exclusivamente|only\b|exclusively|solely|restricted to|limited to"
        r"|reservad[oa]s? a\b",
    ),
    (
        "restrict",
        r"solo\b|solamente|unicamente|exclusivamente|only\b|exclusively|solely|restricted to"
        r"|limited to|reservad[oa]s? a\b|must be|deben ser|debe ser|tener la nacionalidad"
        r"|poseer la nacionalidad"
        r"|ser de nacionalidad|ser ciudadan|para ciudadanos|for citizens|open to\b|abiert[oa] a\b"
        r"|addressed to"
        r"|dirigid[oa]s? a\b|can apply|pueden (?:postular|participar|solicitar)|podran (?:postular"
        r"|participar)"
        r"|are eligible|entidades beneficiarias|inscrit[oa]s en|registered in|established in|con sede en"
        r"|radicad[oa]s en|domiciliad[oa]s en|residents? of\b|resident in\b|residentes? (?:en|de)\b"
        r"|must reside|residir en",
    ),
    (
        "group",
        r"nacionalidad espanola\b(?! o extranjer| u otra)|espanol(?:es|as)\b(?! o extranjer| y )"
        r"|spanish (?:citizens|nationals)|union europea|european union"
        r"|eu\b|eea\b|espacio economico europeo|estados miembros de la (?:ue|union)|commonwealth\b"
        r"|u\.?s\.? citizens|citizens of the united states|united states citizens"
        r"|permanent residents? of the "
        r"(?:u\.?s\.?|united states)|estadounidenses|african (?:nationals|citizens|countries)"
        r"|nacionales africanos|sub-saharan|subsahariana|canadian (?:citizens|residents)"
        r"|uk (?:citizens|nationals|residents)|british (?:citizens|nationals|residents)"
        r"|australian (?:citizens|residents)"
        r"|least developed countries|paises menos adelantados|enterprise europe network|registro (?:gallego"
        r"|vasco"
        r"|andaluz|catalan|valenciano|canario|aragones|asturiano|navarro|extremeno|balear|murciano|cantabro"
        r"|madrileno)",
    ),
)

# Nationalities other than Colombian: Spanish stems take -o/-a/-os/-as/-es, English adjectives stand alone.
_ES_STEMS = (
    "espanol mexican argentin chilen peruan ecuatorian venezolan bolivian uruguay paraguay cuban brasilen"
    " dominican panamen costarricens salvadoren guatemaltec honduren nicaraguens frances aleman"
    " italian portugues britanic estadounidens canadiens japones chin corean indi australian"
).split()
_EN = (
    "mexican argentine argentinian chilean peruvian ecuadorian venezuelan bolivian uruguayan paraguayan"
    " cuban brazilian dominican panamanian costa rican salvadoran guatemalan honduran nicaraguan french"
    " german italian portuguese british american canadian japanese chinese korean indian australian"
    " spanish irish dutch swedish norwegian danish finnish swiss austrian belgian polish"
).split()
_ES_DEMONYM = r"(?:" + "|".join(_ES_STEMS) + r")(?:[oa]s?|es|as)?"
# Possessive: a list is read whole, never cut back to a shorter one ("española, mexicana o extranjera" is
# no restriction) and never re-tried word by word (linear on hostile text).
_ES_LIST = _ES_DEMONYM + r"(?:(?:, | o | u | y | e )" + _ES_DEMONYM + r")*+"
_OPEN_END = r"\b(?! (?:o|u|y|e|or|and) (?:extranjer|otra|cualquier|colombian|foreign|other|any))"
_EN_DEMONYM = "(?:" + "|".join(_EN) + ")"
# "Tener nacionalidad mexicana", "nacionalidad española o portuguesa", "ser ciudadano argentino",
# "Chilean nationals", "Spanish or Portuguese citizens"; a list that goes on with another word ("española o
# extranjera") is not a restriction.
NATIONALITY = re.compile(
    r"\b(?:tener|poseer|ser de|con|de) (?:la )?nacionalidad "
    + _ES_LIST
    + _OPEN_END
    + r"|\bser ciudadan[oa]s? "
    + _ES_LIST
    + _OPEN_END
    + r"|\b"
    + _EN_DEMONYM  # the last adjective of a list ("Spanish or Portuguese nationals")
    + r" (?:nationals|citizens?|citizenship|nationality)"
    + _OPEN_END
)
# People of a nationality ("jóvenes españoles y portugueses", "estudiantes chilenos"): a restriction only in a
# sentence about who can apply.
NATIONAL_PEOPLE = re.compile(
    r"\b(?:ciudadan[oa]s|nacionales|residentes|jovenes|estudiantes|profesionales|investigador(?:es|as)) "
    + _ES_LIST
    + _OPEN_END
)
# A call of a Colombian entity for foreigners only ("Becas para extranjeros", "for foreign nationals").
FOREIGNERS_ONLY = re.compile(
    r"\b(?:para|dirigid[oa]s? a|exclusiv\w+ (?:para|a)|solo (?:para|a)|unicamente (?:para|a)"
    r"|pueden postularse)"
    r" (?:\w+ ){0,2}(?:extranjer[oa]s|no colombian[oa]s)\b"
    r"|\b(?:for|to|open to|only|exclusively for) (?:\w+ ){0,2}(?:foreign(?:ers| nationals| citizens)"
    r"|non-colombians?|non-colombian (?:nationals|citizens|students))\b"
    r"|nacionalidad distinta a la colombiana|(?:nationality|citizenship) other than colombian"
)

# Around a mention: what makes it an exclusion, a name, a destination, a narrower region or a residence.
NEGATION = re.compile(
    r"(?:\bexcept\w*|\bexcepto\b|\bsalvo\b|\bexclud\w+|\bexcluy\w+|\bexcluid\w+|not eligible|no (?:son"
    r"|es) elegible"
    r"|no pueden|no podran|unable to fund|do not fund|no financia\w*|ineligible|con excepcion de"
    r"|a excepcion de|with the exception of|distint[oa]s? (?:a|de) la|other than|\bnon-)[^.;\n]{0,80}$"
)
NEGATION_AFTER = re.compile(
    r"[^.;\n]{0,60}?\b(?:are not eligible|is not eligible|not eligible|cannot apply|can not apply"
    r"|may not apply"
    r"|are excluded|no son elegibles|no es elegible|no pueden (?:postular|participar|aplicar)|no podran"
    r"|quedan excluid\w+|estan excluid\w+)"
)
# "Universidad Nacional de Colombia", "Fulbright Colombia": Colombia in a name says nothing about who applies
ORG_BEFORE = re.compile(
    r"\b(?:universidad|university|fundacion|foundation|embajada|embassy|banco|bank|comision|commission|fulbright"
    r"|ministerio|ministry|delegacion|delegation|oficina|office|camara|chamber|agencia|agency|instituto"
    r"|institute|colegio|corporacion)\b(?:\s+\S+){0,4}\s+$"
)
BUT = re.compile(r"\b(?:but|pero|however|sin embargo|mientras|whereas|while|aunque|although)\b")
# "except Brazil, including Colombia": an inclusion after the exception ends its scope
INCLUDED = re.compile(
    r"\b(?:including|incluid[oa]s?|incluyendo|inclusive|as well as|asi como|are eligible|is eligible"
    r"|son elegibles|es elegible|pueden (?:postular|participar|aplicar)|can apply|may apply)\b"
)
NOT_BEFORE = re.compile(r"\b(?:not|no|non-?)\s*$")
# "estudiar en Colombia", "travel to Colombia": Colombia as the destination says nothing about who applies
DESTINATION = re.compile(
    r"\b(?:estudi\w*|study\w*|cursar|pursue|trabaj\w*|work\w*|viaj\w*|travel\w*|visit\w*|vivir|live"
    r"|realizar\w*|hosted|llevar a cabo|se realizara|tendra lugar|take place|held|asistir\w*|attend\w*"
    r"|taller\w*|workshops?|cursos?|courses?|eventos?|events?|conferencias?|conferences?|meetings?|reuni\w+"
    r"|encuentros?|ceremon\w+|misi\w+|missions?)"
    r"(?:\s+[\w'-]+){0,3}?"
    r"\s+(?:en|in|to|a)\s+$"
)
# "developing countries in Africa": a region that narrows the countries named before it
NARROWED = re.compile(
    r"\s*(?:,\s*)?(?:in|of|from|en|de|del)\s+(?:the\s+|la\s+|el\s+)?(?:sub-saharan\s+|subsahariana\s+)?"
    r"(?:africa|asia|europ\w*|the pacific|el pacifico|oceania|the middle east|oriente medio|medio oriente"
    r"|the commonwealth|la commonwealth|southeast asia|sudeste asiatico|the caribbean|el caribe)\b"
)
RESIDENCE = re.compile(
    r"\b(?:resident|residents|residing|living|based|registered|established|residentes?|residir|radicad[oa]s?"
    r"|domiciliad[oa]s?|con sede|establecid[oa]s?)\s+(?:in|en)\s+(?:the\s+|el\s+|la\s+)?"
)
EUROPE = re.compile(r"europ\w*\b|(?:the\s+)?(?:eu|ue)\b|union europea|european union")
COLOMBIANS_TOO = re.compile(r"(?<!no )(?<!non-)(?<!a la )(?<!than )colombian(?:o|a|os|as|s)?\b")
HEADING = re.compile(r"^[\W\d_]*colombia[\W\d_]*$")
FOREIGNERS = re.compile(r"extranjer[oa]s|foreign(?:ers| nationals| students)|international students")
