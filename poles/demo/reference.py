"""Calibration of the demo programme on POLICY.md (figures there, with their sources).

Everything here is data; the generator turns it into a deterministic synthetic programme.
Only Minalogic and Tenerrdis are real clusters (with their real fields and 2012 rating); every
other cluster, firm, lab and person is synthetic.
"""

FIELDS = [
    ("micro-nano", "Micro- et nanotechnologies", "Micro- and nanotechnologies", "Nano"),
    ("embedded-software", "Logiciel embarqué", "Embedded software", "Logiciel"),
    ("energy", "Nouvelles technologies de l'énergie", "New energy technologies", "Énergie"),
    ("aerospace", "Aéronautique et espace", "Aerospace", "Aéro"),
    ("mobility", "Automobile et mobilité", "Automotive and mobility", "Mobilité"),
    ("health", "Sciences de la vie et santé", "Life sciences and health", "Bio"),
    ("chemistry", "Chimie et environnement", "Chemistry and environment", "Chimie"),
    ("materials", "Matériaux", "Materials", "Matériaux"),
    ("digital", "Numérique et TIC", "Digital and ICT", "Numérique"),
    ("agrifood", "Agroalimentaire", "Agri-food", "Agro"),
    ("textiles", "Textiles techniques", "Technical textiles", "Textile"),
    ("mechanics", "Mécanique et productique", "Mechanics and manufacturing", "Méca"),
    ("plastics", "Plasturgie", "Plastics", "Plasti"),
    ("maritime", "Mer et maritime", "Maritime", "Mer"),
    ("water", "Eau et écotechnologies", "Water and eco-technologies", "Eau"),
    ("logistics", "Transport et logistique", "Transport and logistics", "Logistique"),
    ("construction", "Bâtiment durable", "Sustainable construction", "Bâti"),
    ("cosmetics", "Cosmétique et parfumerie", "Cosmetics", "Cosméto"),
    ("media", "Image et contenus numériques", "Images and digital content", "Image"),
    ("photonics", "Optique et photonique", "Optics and photonics", "Photonique"),
    ("sports", "Sports et loisirs", "Sports and leisure", "Sport"),
    ("wood", "Forêt et bois", "Forestry and wood", "Bois"),
]  # fmt: skip

# Former region -> (clusters labelled 2005-2007, name suffixes, head-office départements)
REGIONS = {
    "82": (15, ["Alpes", "Rhône", "Dauphiné", "Savoie", "Lyon", "Loire", "Ain"], ["38", "69", "73", "74", "42", "01", "26"]),
    "11": (6, ["Île-de-France", "Seine", "Saclay"], ["75", "91", "92", "78", "94"]),
    "93": (6, ["Provence", "Azur", "Méditerranée"], ["13", "06", "83", "84"]),
    "73": (4, ["Garonne", "Pyrénées", "Midi"], ["31", "81", "65"]),
    "53": (4, ["Bretagne", "Armor"], ["35", "29", "22", "56"]),
    "52": (4, ["Atlantique", "Val de Loire"], ["44", "49", "72"]),
    "42": (3, ["Alsace", "Rhin"], ["67", "68"]),
    "31": (4, ["Nord", "Flandres", "Artois"], ["59", "62"]),
    "72": (3, ["Aquitaine", "Gironde"], ["33", "64", "40"]),
    "24": (3, ["Centre", "Touraine"], ["45", "37", "18"]),
    "41": (2, ["Lorraine", "Moselle"], ["54", "57"]),
    "43": (2, ["Franche-Comté", "Jura"], ["25", "90"]),
    "26": (2, ["Bourgogne"], ["21", "71"]),
    "21": (2, ["Champagne", "Ardenne"], ["51", "10"]),
    "22": (1, ["Picardie"], ["80", "60"]),
    "23": (2, ["Normandie", "Seine-Maritime"], ["76", "27"]),
    "25": (1, ["Cotentin"], ["14", "50"]),
    "91": (2, ["Languedoc", "Roussillon"], ["34", "30"]),
    "74": (2, ["Limousin"], ["87", "19"]),
    "83": (2, ["Auvergne"], ["63"]),
    "54": (1, ["Poitou-Charentes"], ["86", "17"]),
}  # fmt: skip

REAL_CLUSTERS = {
    "minalogic": {
        "name": "Minalogic",
        "acronym": "Minalogic",
        "fields": ["micro-nano", "embedded-software"],
        "city": "Grenoble",
        "departement": "38",
        "category": "world_class",
        "description_fr": "Pôle de compétitivité mondial des micro- et nanotechnologies et du logiciel embarqué, "
        "à Grenoble : solutions miniaturisées intelligentes pour l'industrie.",
        "description_en": "World-class competitiveness cluster for micro- and nanotechnologies and embedded "
        "software, in Grenoble: smart miniaturised solutions for industry.",
    },
    "tenerrdis": {
        "name": "Tenerrdis",
        "acronym": "Tenerrdis",
        "fields": ["energy"],
        "city": "Grenoble",
        "departement": "38",
        "category": "national",
        "description_fr": "Pôle de compétitivité des nouvelles technologies de l'énergie, à Grenoble.",
        "description_en": "Competitiveness cluster for new energy technologies, in Grenoble.",
    },
}

# Categories of the 2005 labelling: 6 world-class, 9 with a world vocation, the rest national.
WORLD_CLASS = 6
WORLD_VOCATION = 9

PHASES = [(1, "2006-01-01", "2008-12-31"), (2, "2009-01-01", "2012-12-31"), (3, "2013-01-01", "2018-12-31"),
          (4, "2019-01-01", "2022-12-31"), (5, "2023-01-01", "2026-12-31")]  # fmt: skip

# 2008 evaluation (BCG, CM International): 39 reached, 19 partly, 13 to be reconfigured.
EVALUATION_2008 = [("reached", 39), ("partly", 19), ("reconfigure", 13)]
# 2012 evaluation (BearingPoint, Erdyn, Technopolis): 20 / 35 / 16; both Grenoble clusters very performant.
EVALUATION_2012 = [("very_performant", 20), ("performant", 35), ("less_performant", 16)]
DELABELLED_2010 = 6  # six of the clusters to be reconfigured lost the label in 2010 ...
ECOTECH_2010 = 6  # ... and six eco-technology clusters were labelled.

# Member companies on 31 December (France Stratégie: about 4,000 in 2006, 9,000 in 2012), then
# all members 18,500 at the end of phase 4 (DGE, 2022), of which about 14,500 companies.
MEMBER_FIRMS = {2005: 2600, 2006: 4000, 2007: 5000, 2008: 6000, 2009: 6800, 2010: 7600, 2011: 8300, 2012: 9000,
                2013: 9600, 2014: 10200, 2015: 10800, 2016: 11400, 2017: 12000, 2018: 12500, 2019: 13000,
                2020: 13500, 2021: 14000, 2022: 14500, 2023: 14500, 2024: 14500, 2025: 14500, 2026: 14500}  # fmt: skip
MEMBER_OTHERS = {2005: 400, 2006: 600, 2012: 1500, 2022: 4000, 2026: 4000}  # interpolated between years
MEMBER_CHURN = 0.025  # share of members leaving each year

# Firm-level planted effect of membership on R&D spending (Bellégo & Dortet-Bernadet 2014 found
# +7.3 %): half of it in the joining year, all of it from the next year on.
EFFECT_RD = {0: 0.0365, 1: 0.073}
# Selection on levels (Fontagné et al. 2010): joiners already spent 25 % more on R&D.
SELECTION_RD_PREMIUM = 0.25
FIGURE_YEARS = (2003, 2022)

INSTRUMENT_TITLE_EN = "Support to the competitiveness clusters (pôles de compétitivité)"
