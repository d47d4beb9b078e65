"""The words that give a date its role in a call: closing, opening and other cues, the window of the call, the
clauses about applying, and the closing cues about something else."""

import re

# One pass finds the cues; at the same position the first alternative wins, so the call's window ("vigencia de
# la convocatoria", a closing cue) goes first, then "other".
CUE = re.compile(
    r"(?P<window>(?:vigencia|duracion|periodo|period|window) (?:de (?:la |las )?|del |of the )?"
    r"(?:convocatoria|call\b|inscripci\w+|postulaci\w+|applications?)|fecha de corte"
    r"|(?:entrega|recepcion) de (?:las |los )?"
    r"(?:propuestas|documentos|postulaciones|solicitudes|trabajos|proyectos|obras|candidaturas)"
    r"|submission of (?:applications|proposals|entries|nominations))"
    r"|(?P<other>(?:acto|ceremonia|evento|sesion|jornada|encuentro|gala|concierto) (?:de )?"
    r"(?:cierre|clausura)"
    r"|closing (?:ceremony|session|event|remarks|plenary|concert)|resultados?|results?|publicad[oa]s?"
    r"|publicacion|se publico|published|posted|updated"
    r"|actualizad[oa]|notificaci\w+|notification|notified|entrevistas?|interviews?"
    r"|inicio de (?:clases|estudios|actividades|labores|la beca)|iniciaran|start of|starts?\b|comienzo"
    r"|llegada|arriv\w+|ceremon\w+|entrega de premios|fallo|anuncio|announc\w+|winners?\b|ganador\w*"
    r"|evaluaci\w+|evaluation|consultas?\b"
    r"|questions?|preguntas|enquir\w+|inquir\w+|referenc\w+|offers?\b|matricul\w+|enrol\w+|conferen\w+"
    r"|consult\w+"
    r"|congreso|realizar(?:a|an|se)\b|tendra lugar|se llevara a cabo|takes? place|held\b|celebrar\w*"
    r"|resolucion|decreto|\bley\b|\borden\b|\bboe\b|\bref\b|sesion|session|eventos?\b|events?\b"
    r"|fecha de nacimiento|born\b|expedicion|ejecucion|execution|implementa\w+|duracion|duration|vigencia"
    r"|validity|valid[oa]?\b|capacitaci\w+|cursos?\b|taller(?:es)?\b|seminarios?\b|workshops?\b|trainings?\b"
    r"|clases\b|estancias?\b|residencias?\b|festival\b|feria\b|exposici\w+|exhibition)"
    r"|(?P<close>fecha (?:limite|de cierre|maxima|final)|cierre|plazo|vencimiento|ultimo dia|deadlines?"
    r"|closing|apply by|submit(?:ted)? by|on or before|(?:apply|submit(?:ted)?|received|sent) before"
    r"|date limite|data limite|data final|cloture|prazo|receiv\w+ (?:by|until)|recibir\w* hasta|due date)"
    r"|(?P<verb>cierra\w*|cerrar\w*|vence\w*|finaliza\w*|closes?\b|closed? on|no later than|encerra\w*"
    r"|termina\b)"
    r"|(?P<weak>hasta(?: el| las)?|until|till\b|due\b(?! to\b)|antes del?\b|a mas tardar|jusqu'?au"
    r"|(?:sen[dt]|submit\w*|receiv\w+|apply|applications?|register\w*|upload\w*|deliver\w*|lodg\w+|nominat\w+)"
    r"(?: [\w']+){0,4}? (?:by|before)\b|avant le|\bate(?: (?:o|ao) dia)?\b|last (?:date|day)\b"
    r"|au plus tard)"
    r"|(?P<open>apertura|abre\b|abren\b|abrio|abrira\w*|abiert[oa]s?\b|desde(?: el)?|a partir del?"
    r"|inici\w*|comienza\w*|opens?\b|opening|opened|from\b|starting|lanzamiento|launch\w*|ouverture"
    r"|abertura)"
)
# "Vigencia de la convocatoria", "application period": the window of the call, never an implementation period
CALL_WINDOW = re.compile(
    r"(?:vigencia|duracion|periodo|period|window) (?:de (?:la |las )?|del |of the )?(?:convocatoria|call\b"
    r"|inscripci\w+|postulaci\w+|applications?)"
)
# A closing cue about something other than applying (questions, references, offers) is not a deadline.
NOT_APPLICATION = re.compile(
    r"referenc\w+|\boffer\b|consult\w+|questions?|preguntas|enquir\w+|inquir\w+|\bpago\b|payment"
    r"|matricul\w+|enrol\w+|acceptance|aceptacion|notificaci\w+|notification|resultados?|results?"
    r"|nacid[oa]s?|born|graduad[oa]s?|graduated|egresad[oa]s?|titulad[oa]s?|fecha de nacimiento"
    r"|ejecucion|execution|implementa\w+|duracion|duration|vigencia|validity|valid[oa]?\b"
    r"|hotel\w*|booking|accommodation|alojamiento|visas?\b|visado|refund\w*|reembolso|cancel\w*"
    r"|subsana\w*|alegaciones|reclamaci\w+|appeals?\b|confirm\w*|seleccionad[oa]s|admitid[oa]s|admitted"
    r"|selected (?:candidates|applicants|participants|fellows|students|scholars)|successful (?:candidates"
    r"|applicants)|ganador\w*|winners?\b"
)
# A date right after "al"/"to" in a clause about applying ("inscripciones del 1 al 15 de marzo") ends it.
PERIOD_END = re.compile(r"(?:\bal|\ba|\bto|\buntil|\bthrough|-)\s*(?:el\s+|the\s+)?$")
APPLICATION = re.compile(
    r"convocatoria|solicitud|postula|inscri[pc]|candidatur|edital|aplicaci|applications?|submissions?|registration"
    r"|registro|plazo|\bcall\b|periodo de|period\b|abiert[oa]|\bopen|deadline|cierre|limite|window|ventana"
)
APPLY_CONTEXT = re.compile(
    APPLICATION.pattern + r"|recib|recepcion|envi[oa]|enviar|present|propuestas|proposals|entries|nominat"
    r"|nominaci|trabajos|formulario|\bforms?\b|apply|aplicar|postular|submit|candidat|deadline|cierre"
    r"|\bsen[dt]\b|receiv|expressions? of interest|manifestaci\w+ de interes|dossier|inscri[cç]|registr"
)
# What a closing verb may close besides an application: the opportunity itself ("El concurso cierra el …").
OFFER = re.compile(
    r"concurso|contest|competition|premios?\b|awards?\b|prizes?\b|becas?\b|scholarships?|grants?\b"
    r"|fellowships?|ayudas?\b|subvenci\w+|fondos? concursables?|edital|bolsas?\b|appel\b"
)
