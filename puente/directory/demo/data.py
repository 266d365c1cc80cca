"""The demo directory as compact tables: taxonomy terms and their SDOH bridges, kinds of service, the towns of
Bernalillo, Sandoval, Valencia and Torrance counties and which kinds each has. ``services()`` expands them into
about 150 rows; the variation (languages, capacity, verification age, access) comes from fixed cycles so the
data is the same on every run (ids are derived from the row key, so re-seeding updates in place).

Everything is invented: organization and service names end in "(demo)", street addresses carry
"(demo address)" and phone numbers are in the 555-01xx range reserved for fiction.
"""

from typing import NamedTuple

# Taxonomy term -> the Gravity SDOH categories it is bridged to.
TERMS = {
    "Food pantries": ["food-insecurity"],
    "Home-delivered meals": ["food-insecurity"],
    "Baby and household supplies": ["material-hardship"],
    "Emergency shelter": ["homelessness"],
    "Rent payment assistance": ["housing-instability"],
    "Home repair and weatherization": ["inadequate-housing"],
    "Utility bill assistance (LIHEAP)": ["utility-insecurity"],
    "Non-emergency medical transportation": ["transportation-insecurity"],
    "Transit passes": ["transportation-insecurity"],
    "Domestic violence services": ["intimate-partner-violence"],
    "Elder abuse prevention": ["elder-abuse"],
    "Benefits enrollment help": ["financial-insecurity", "health-insurance-coverage-status"],
    "Financial counseling": ["financial-insecurity"],
    "Medical bill assistance": ["medical-cost-burden"],
    "Legal aid (eviction defense)": ["housing-instability"],
    "Job training": ["employment-status"],
    "Adult education (GED)": ["educational-attainment"],
    "Senior centers": ["social-connection"],
    "Caregiver support": ["stress", "social-connection"],
    "Counseling": ["stress"],
    "Behavioral health crisis line": ["stress"],
    "Interpreter services": ["language-access"],
    "Digital skills and internet access": ["digital-access", "digital-literacy"],
    "Veteran services": ["veteran-status"],
    "Reentry services": ["incarceration-status"],
}

WEEKDAYS = "MO,TU,WE,TH,FR"
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"


class Kind(NamedTuple):
    """One kind of service. ``name`` and the descriptions take ``{place}`` and ``{county}``; ``hours`` holds
    alternative weekly schedules (a service takes one by its position); ``family`` picks the organization."""

    terms: tuple
    name: str
    en: str
    es: str
    hours: tuple
    cost: str
    family: str
    min_age: int | None = None
    county_wide: bool = False


KINDS = {
    "pantry": Kind(
        ("Food pantries",),
        "{place} Community Pantry",
        "Free groceries, fresh produce and diapers once a week. Bring a bag; no ID needed.",
        "Despensa gratuita: comestibles, frutas y verduras frescas y pañales una vez por semana. No se necesita "
        "identificación.",
        ((("MO,WE,FR", "09:00", "13:00"),), (("TU,TH", "10:00", "14:00"), ("SA", "09:00", "12:00"))),
        "Free",
        "food",
    ),
    "meals": Kind(
        ("Home-delivered meals",),
        "{place} Home-Delivered Meals",
        "Hot meals delivered at noon to homebound adults aged 60 and over.",
        "Comidas calientes entregadas a domicilio al mediodía para adultos mayores de 60 años.",
        (((WEEKDAYS, "08:00", "16:00"),),),
        "Sliding scale",
        "aging",
        60,
    ),
    "supplies": Kind(
        ("Baby and household supplies",),
        "{place} Diaper and Supply Bank",
        "Diapers, formula, cleaning and hygiene supplies for families with young children.",
        "Pañales, fórmula y artículos de limpieza e higiene para familias con niños pequeños.",
        ((("TU,TH", "10:00", "15:00"),),),
        "Free",
        "food",
    ),
    "shelter": Kind(
        ("Emergency shelter",),
        "{place} Emergency Shelter",
        "Overnight beds for adults and families, showers, meals and case management. Check-in at 6 pm.",
        "Camas por la noche para adultos y familias, duchas, comidas y manejo de casos. Registro a las 6 pm.",
        (((EVERY_DAY, "00:00", "24:00"),),),
        "Free",
        "shelter",
        18,
    ),
    "rent": Kind(
        ("Rent payment assistance", "Financial counseling"),
        "{place} Rent Help",
        "One-time help with past-due rent for households at risk of eviction, plus budgeting sessions.",
        "Ayuda única con renta atrasada para familias en riesgo de desalojo y sesiones de presupuesto.",
        (((WEEKDAYS, "09:00", "17:00"),), (("MO,TU,WE,TH", "08:30", "16:30"),)),
        "Free",
        "housing",
    ),
    "liheap": Kind(
        ("Utility bill assistance (LIHEAP)",),
        "{place} LIHEAP and Utility Help",
        "Help applying for LIHEAP and paying gas, electric and water bills; shut-off prevention.",
        "Ayuda para solicitar LIHEAP y pagar las facturas de gas, luz y agua; prevención de cortes de servicio.",
        (((WEEKDAYS, "08:00", "17:00"),),),
        "Free",
        "housing",
        None,
        True,
    ),
    "weatherization": Kind(
        ("Home repair and weatherization",),
        "{place} Home Repair and Weatherization",
        "Free repairs, insulation, swamp-cooler and furnace fixes for owners with low incomes.",
        "Reparaciones gratuitas, aislamiento y arreglo de enfriadores y calentones para dueños de bajos ingresos.",
        ((("MO,WE", "09:00", "15:00"),),),
        "Free",
        "housing",
    ),
    "nemt": Kind(
        ("Non-emergency medical transportation",),
        "{county} Medical Rides",
        "Rides to medical, dental and pharmacy appointments; Medicaid members ride free. Book two days ahead.",
        "Transporte a citas médicas, dentales y a la farmacia; gratis para miembros de Medicaid. Reserve con dos "
        "días de anticipación.",
        (((WEEKDAYS, "07:00", "18:00"),),),
        "Free",
        "transport",
        None,
        True,
    ),
    "transit": Kind(
        ("Transit passes",),
        "{place} Bus Pass Program",
        "Reduced-fare and free bus passes for people with low incomes, seniors and people with disabilities.",
        "Pases de autobús gratuitos o con descuento para personas de bajos ingresos, mayores y con discapacidad.",
        (((WEEKDAYS, "08:00", "17:00"),),),
        "Sliding scale",
        "transport",
    ),
    "legal": Kind(
        ("Legal aid (eviction defense)",),
        "{county} Eviction Defense Clinic",
        "Free lawyers for tenants facing eviction; help with benefits denials and debt collection.",
        "Abogados gratuitos para inquilinos que enfrentan un desalojo; ayuda con negaciones de beneficios y deudas.",
        ((("TU,TH", "09:00", "16:00"),),),
        "Free",
        "legal",
        18,
        True,
    ),
    "dv": Kind(
        ("Domestic violence services",),
        "{place} Safe Haven Advocacy",
        "Confidential advocacy, safety planning, protective orders and emergency housing for survivors.",
        "Apoyo confidencial, plan de seguridad, órdenes de protección y vivienda de emergencia para sobrevivientes.",
        (((EVERY_DAY, "00:00", "24:00"),),),
        "Free",
        "dv",
        None,
        True,
    ),
    "bh": Kind(
        ("Counseling",),
        "{place} Counseling Center",
        "Counseling for depression, anxiety, grief and substance use; walk-in hours and telehealth.",
        "Consejería para depresión, ansiedad, duelo y uso de sustancias; horario sin cita y telesalud.",
        (((WEEKDAYS, "08:00", "18:00"),), (("MO,TU,WE,TH", "09:00", "19:00"),)),
        "Sliding scale",
        "health",
    ),
    "crisis": Kind(
        ("Behavioral health crisis line", "Counseling"),
        "{county} Crisis and Access Line",
        "Around-the-clock phone support for a mental health or substance use crisis, with mobile crisis teams.",
        "Apoyo telefónico las 24 horas en una crisis de salud mental o de uso de sustancias, con equipos móviles.",
        (((EVERY_DAY, "00:00", "24:00"),),),
        "Free",
        "health",
        None,
        True,
    ),
    "senior": Kind(
        ("Senior centers",),
        "{place} Senior Center",
        "Lunch, exercise classes, social activities and help with Medicare questions for adults 60 and over.",
        "Almuerzo, clases de ejercicio, actividades sociales y ayuda con Medicare para adultos de 60 años o más.",
        (((WEEKDAYS, "08:00", "15:00"),), (("MO,TU,WE,TH", "08:30", "14:00"),)),
        "Free",
        "aging",
        60,
    ),
    "caregiver": Kind(
        ("Caregiver support",),
        "{place} Caregiver Support Circle",
        "Support groups, respite care and training for family caregivers of older adults and people with dementia.",
        "Grupos de apoyo, cuidado de relevo y capacitación para familiares que cuidan a mayores o a personas con "
        "demencia.",
        ((("TU", "10:00", "12:00"), ("TH", "17:30", "19:00")),),
        "Free",
        "aging",
    ),
    "elder": Kind(
        ("Elder abuse prevention", "Senior centers"),
        "{place} Elder Safety Program",
        "Wellness checks and help for older adults at risk of neglect, abuse or financial exploitation.",
        "Visitas de bienestar y ayuda para mayores en riesgo de abandono, maltrato o explotación financiera.",
        (((WEEKDAYS, "08:00", "17:00"),),),
        "Free",
        "aging",
        60,
        True,
    ),
    "benefits": Kind(
        ("Benefits enrollment help",),
        "{place} Benefits Enrollment Help",
        "Help applying for SNAP, Medicaid, WIC and Medicare Savings Programs; bring ID and proof of income.",
        "Ayuda para solicitar SNAP (estampillas), Medicaid, WIC y programas de ahorro de Medicare; traiga "
        "identificación y comprobante de ingresos.",
        (((WEEKDAYS, "09:00", "16:00"),), (("MO,WE,FR", "09:00", "13:00"),)),
        "Free",
        "benefits",
        None,
        True,
    ),
    "medbill": Kind(
        ("Medical bill assistance", "Financial counseling"),
        "{place} Medical Bill Advocates",
        "Help reading hospital bills, applying for charity care and setting up payment plans.",
        "Ayuda para entender facturas del hospital, solicitar atención caritativa y hacer planes de pago.",
        ((("TU,WE,TH", "09:00", "15:00"),),),
        "Free",
        "benefits",
    ),
    "interp": Kind(
        ("Interpreter services",),
        "{county} Community Interpreters",
        "Trained interpreters by phone, video or in person for appointments and paperwork.",
        "Intérpretes capacitados por teléfono, video o en persona para citas y trámites.",
        (((WEEKDAYS, "08:00", "18:00"),),),
        "Free",
        "language",
        None,
        True,
    ),
    "jobs": Kind(
        ("Job training",),
        "{place} Job Training Center",
        "Job search help, résumé workshops and paid training in health care, trades and logistics.",
        "Ayuda para buscar empleo, talleres de currículum y capacitación pagada en salud, oficios y logística.",
        (((WEEKDAYS, "09:00", "17:00"),),),
        "Free",
        "work",
        16,
    ),
    "ged": Kind(
        ("Adult education (GED)",),
        "{place} Adult Learning Center",
        "Free GED and HiSET classes, English as a second language and citizenship preparation.",
        "Clases gratuitas de GED y HiSET, inglés como segundo idioma y preparación para la ciudadanía.",
        ((("MO,TU,WE,TH", "17:30", "20:30"),), (("TU,TH", "09:00", "12:00"), ("SA", "09:00", "12:00"))),
        "Free",
        "work",
        16,
    ),
    "digital": Kind(
        ("Digital skills and internet access",),
        "{place} Digital Help Desk",
        "Computer and smartphone help, patient portal set-up, free Wi-Fi and low-cost internet sign-up.",
        "Ayuda con computadoras y celulares, acceso al portal del paciente, Wi-Fi gratis e internet a bajo costo.",
        ((("MO,WE", "13:00", "17:00"), ("SA", "10:00", "13:00")),),
        "Free",
        "work",
    ),
    "veterans": Kind(
        ("Veteran services",),
        "{place} Veterans Outreach",
        "Help with VA benefits claims, housing for veterans and peer support.",
        "Ayuda con reclamos de beneficios del VA, vivienda para veteranos y apoyo entre compañeros.",
        ((("MO,WE,TH", "09:00", "16:00"),),),
        "Free",
        "veterans",
        None,
        True,
    ),
    "reentry": Kind(
        ("Reentry services", "Job training"),
        "{place} Reentry Navigators",
        "Help after jail or prison: IDs, housing referrals, job readiness and record expungement clinics.",
        "Ayuda después de la cárcel o prisión: identificaciones, vivienda, preparación para el trabajo y "
        "limpieza de antecedentes.",
        (((WEEKDAYS, "09:00", "16:00"),),),
        "Free",
        "reentry",
        18,
    ),
}

# Organization by family, either one for the whole region or one per county.
ORGANIZATIONS = {
    "food": {
        "Bernalillo": "Sandia Mesa Food Network (demo)",
        "Sandoval": "Jemez Valley Food Share (demo)",
        "Valencia": "Rio Abajo Food Bank (demo)",
        "Torrance": "Estancia Valley Pantry Network (demo)",
    },
    "housing": {
        "Bernalillo": "Casa Esperanza Housing Help (demo)",
        "Sandoval": "Sandoval Housing Partners (demo)",
        "Valencia": "Valencia Community Action (demo)",
        "Torrance": "Manzano Community Action (demo)",
    },
    "shelter": {
        "Bernalillo": "Rio Grande Shelter Alliance (demo)",
        "Sandoval": "Sandoval Housing Partners (demo)",
        "Valencia": "Valencia Community Action (demo)",
        "Torrance": "Manzano Community Action (demo)",
    },
    "health": {
        "Bernalillo": "Bosque Behavioral Health (demo)",
        "Sandoval": "Sandoval Wellness Collaborative (demo)",
        "Valencia": "Valencia Counseling Center (demo)",
        "Torrance": "East Mountains Behavioral Health (demo)",
    },
    "aging": {
        "Bernalillo": "Sandia Aging Partners (demo)",
        "Sandoval": "Sandoval Aging Partners (demo)",
        "Valencia": "Valencia Aging Partners (demo)",
        "Torrance": "Torrance Aging Partners (demo)",
    },
    "transport": "Middle Rio Grande Rides (demo)",
    "legal": "Enchantment Legal Aid (demo)",
    "dv": "Safe Harbor Domestic Violence Services (demo)",
    "benefits": "Puerta Abierta Benefits Navigators (demo)",
    "language": "Voces Interpreter Cooperative (demo)",
    "work": "Camino Workforce and Learning (demo)",
    "veterans": "High Desert Veterans Outreach (demo)",
    "reentry": "Segunda Oportunidad Reentry (demo)",
}


class Town(NamedTuple):
    """A place with services: ``place`` names the services, ``city`` goes on the address."""

    place: str
    city: str
    county: str
    zip_code: str
    latitude: float
    longitude: float
    streets: tuple
    kinds: str
    languages: tuple = ()  # spoken at some services here besides English and Spanish


TOWNS = {
    "abq-downtown": Town(
        "Downtown Albuquerque",
        "Albuquerque",
        "Bernalillo",
        "87102",
        35.0844,
        -106.6504,
        ("Central Ave SW", "4th St NW", "Lomas Blvd NW", "Broadway Blvd SE"),
        "pantry meals shelter rent liheap weatherization nemt transit legal dv bh crisis senior caregiver "
        "benefits medbill interp jobs ged digital veterans reentry elder",
        ("vi",),
    ),
    "abq-south-valley": Town(
        "South Valley",
        "Albuquerque",
        "Bernalillo",
        "87105",
        35.0448,
        -106.6893,
        ("Isleta Blvd SW", "Bridge Blvd SW", "Arenal Rd SW", "Coors Blvd SW"),
        "pantry rent liheap legal bh senior benefits interp jobs supplies caregiver",
    ),
    "abq-international": Town(
        "International District",
        "Albuquerque",
        "Bernalillo",
        "87108",
        35.0726,
        -106.5749,
        ("Central Ave SE", "San Mateo Blvd SE", "Louisiana Blvd SE", "Zuni Rd SE"),
        "pantry meals shelter dv bh interp benefits ged digital reentry supplies",
        ("vi", "ar"),
    ),
    "abq-westside": Town(
        "Westside",
        "Albuquerque",
        "Bernalillo",
        "87121",
        35.0512,
        -106.7269,
        ("Coors Blvd NW", "Unser Blvd SW", "98th St SW", "Sage Rd SW"),
        "pantry senior benefits bh transit caregiver",
    ),
    "abq-ne-heights": Town(
        "Northeast Heights",
        "Albuquerque",
        "Bernalillo",
        "87110",
        35.1104,
        -106.5781,
        ("Menaul Blvd NE", "Wyoming Blvd NE", "Montgomery Blvd NE", "Indian School Rd NE"),
        "senior caregiver medbill elder veterans meals bh",
        ("zh",),
    ),
    "tijeras": Town(
        "Tijeras",
        "Tijeras",
        "Bernalillo",
        "87059",
        35.0446,
        -106.3062,
        ("Old Route 66", "NM-337", "Zamora Rd"),
        "pantry senior nemt benefits",
    ),
    "rio-rancho": Town(
        "Rio Rancho",
        "Rio Rancho",
        "Sandoval",
        "87124",
        35.2493,
        -106.6818,
        ("Southern Blvd SE", "Unser Blvd NE", "Sara Rd SE", "Pine Tree Rd SE"),
        "pantry meals rent liheap nemt legal bh crisis senior caregiver benefits jobs ged digital veterans dv "
        "interp transit weatherization",
    ),
    "bernalillo-town": Town(
        "Bernalillo",
        "Bernalillo",
        "Sandoval",
        "87004",
        35.3000,
        -106.5511,
        ("Camino del Pueblo", "US-550", "Calle Malinche"),
        "pantry senior benefits bh rent shelter supplies",
        ("nv",),
    ),
    "corrales": Town(
        "Corrales",
        "Corrales",
        "Sandoval",
        "87048",
        35.2339,
        -106.6200,
        ("Corrales Rd", "Loma Larga Rd"),
        "senior caregiver pantry",
    ),
    "placitas": Town(
        "Placitas",
        "Placitas",
        "Sandoval",
        "87043",
        35.3092,
        -106.4253,
        ("NM-165", "Camino de las Huertas"),
        "senior pantry",
    ),
    "cuba": Town(
        "Cuba",
        "Cuba",
        "Sandoval",
        "87013",
        36.0214,
        -106.9584,
        ("Main St", "Cordova Ave"),
        "pantry senior benefits bh meals liheap",
        ("nv",),
    ),
    "los-lunas": Town(
        "Los Lunas",
        "Los Lunas",
        "Valencia",
        "87031",
        34.8062,
        -106.7334,
        ("Main St NW", "Los Lentes Rd SE", "NM-314", "Luna Ave"),
        "pantry meals rent liheap nemt legal bh crisis senior caregiver benefits dv jobs ged interp weatherization",
    ),
    "belen": Town(
        "Belen",
        "Belen",
        "Valencia",
        "87002",
        34.6628,
        -106.7764,
        ("Becker Ave", "Main St", "Reinken Ave", "Camino del Llano"),
        "pantry senior benefits bh shelter supplies veterans digital liheap",
    ),
    "bosque-farms": Town(
        "Bosque Farms",
        "Bosque Farms",
        "Valencia",
        "87068",
        34.8548,
        -106.7053,
        ("Bosque Farms Blvd", "Esperanza Dr"),
        "senior pantry caregiver",
    ),
    "moriarty": Town(
        "Moriarty",
        "Moriarty",
        "Torrance",
        "87035",
        34.9901,
        -106.0492,
        ("Old US-66", "Broadway", "Howard Cavasos Blvd"),
        "pantry meals senior nemt benefits bh liheap rent caregiver interp legal crisis",
    ),
    "estancia": Town(
        "Estancia",
        "Estancia",
        "Torrance",
        "87016",
        34.7584,
        -106.0559,
        ("Fifth St", "Highway 41", "Williams Ave"),
        "pantry senior benefits dv",
    ),
    "mountainair": Town(
        "Mountainair",
        "Mountainair",
        "Torrance",
        "87036",
        34.5195,
        -106.2431,
        ("Broadway", "Summit Ave", "Ripley Ave"),
        "pantry senior liheap meals benefits",
    ),
}

# A few services keep names other code and tests know (the referral demo, the directory's own tests).
NAMES = {("abq-downtown", "pantry"): "Sandia Mesa Community Pantry"}

# Partner (care network) organizations that curate some demo providers, by accounts.Organization slug.
CURATORS = {
    "Sandia Mesa Food Network (demo)": "roadrunner-pantry",
    "Casa Esperanza Housing Help (demo)": "casa-esperanza",
}

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "vi": "Vietnamese",
    "nv": "Navajo",
    "ar": "Arabic",
    "zh": "Chinese",
    "ase": "American Sign Language",
}

# Fixed cycles (lengths coprime to each other) give a realistic, reproducible mix.
CAPACITY = ("accepting", "accepting", "waitlist", "accepting", "", "not_accepting", "accepting", "waitlist", "")
VERIFIED_DAYS_AGO = (14, 45, 200, 90, 7, None, 120, 30, 400, 60, 170, 21, 260)  # None: never verified
INTERPRETER_LANGUAGES = ("en", "es", "vi", "nv", "ar", "zh", "ase")


class DemoService(NamedTuple):
    key: str
    organization: str
    name: str
    town: Town
    kind: Kind
    languages: tuple
    schedules: tuple
    capacity: str
    verified_days_ago: int | None
    accessible: bool


def _languages(n: int, kind_key: str, town: Town) -> tuple:
    if kind_key == "interp":
        return INTERPRETER_LANGUAGES
    if n % 7 == 6:
        langs = ("en",)  # some places have no Spanish-speaking staff
    elif n % 5 == 0:
        langs = ("es", "en")  # Spanish first: run by and for Spanish speakers
    else:
        langs = ("en", "es")
    if town.languages and n % 3 == 0:
        langs += town.languages
    return langs


def services() -> list[DemoService]:
    """Every demo service, in a fixed order."""
    out = []
    names: set[str] = set()
    for town_key, town in TOWNS.items():
        for kind_key in town.kinds.split():
            n = len(out)
            kind = KINDS[kind_key]
            org = ORGANIZATIONS[kind.family]
            org = org[town.county] if isinstance(org, dict) else org
            fmt = {"place": town.place, "county": f"{town.county} County"}
            name = NAMES.get((town_key, kind_key)) or kind.name.format(**fmt)
            if name in names:  # a county-wide service with a second office
                name = f"{name} — {town.place}"
            names.add(name)
            name = f"{name} (demo)"  # what a worker sees in results: never mistaken for a real listing
            out.append(
                DemoService(
                    key=f"{town_key}:{kind_key}",
                    organization=org,
                    name=name,
                    town=town,
                    kind=kind,
                    languages=_languages(n, kind_key, town),
                    schedules=kind.hours[n % len(kind.hours)],
                    capacity=CAPACITY[n % len(CAPACITY)],
                    verified_days_ago=VERIFIED_DAYS_AGO[n % len(VERIFIED_DAYS_AGO)],
                    accessible=n % 4 != 3,
                )
            )
    return out


SERVICES = services()
