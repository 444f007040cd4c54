"""Word lists for French-looking synthetic names (firms, labs, people). No real person or firm."""

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Claire", "Anne", "Sophie", "Marie", "Lucie",
    "Emma", "Louise", "Alice", "Juliette", "Nathalie", "Isabelle", "Hélène", "Élise", "Thomas", "Nicolas", "Julien",
    "Maxime", "Antoine", "Hugo", "Lucas", "Louis", "Pierre", "Paul", "Mathieu", "Olivier", "Sébastien", "Laurent",
    "François", "Vincent", "Guillaume", "Romain", "Karim", "Mehdi", "Yann", "Loïc", "Benoît", "Arnaud", "Cédric",
]  # fmt: skip

LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard",
    "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure",
    "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément",
    "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Boyer", "Denis", "Meunier",
]  # fmt: skip

FIRM_ROOTS = [
    "Alpi", "Nano", "Micro", "Opti", "Ther", "Hydro", "Vert", "Cyber", "Sili", "Quanta", "Electr", "Méca", "Dauph",
    "Azur", "Armor", "Rhéno", "Garon", "Océa", "Biom", "Vita", "Agro", "Chim", "Poly", "Texti", "Plast", "Aéro",
    "Astr", "Navi", "Robo", "Data", "Logi", "Sigma", "Delta", "Kéra", "Lumi", "Photo", "Sola", "Ondu", "Magné",
    "Terra", "Fluvi", "Sylva", "Granit", "Cristal", "Iso", "Proxi", "Tecn", "Indus", "Volta", "Ampé",
]  # fmt: skip

FIRM_ENDINGS = [
    "tec", "tronic", "lab", "sys", "dyn", "val", "gen", "tis", "nova", "flux", "med", "form", "soft", "line",
    "metrics", "wave", "mat", "cell", "sens", "com", "logic", "vision", "motion", "power", "chem", "fab",
]  # fmt: skip

FIRM_WORDS = [
    "Technologies", "Systèmes", "Industries", "Solutions", "Ingénierie", "Innovation", "Électronique", "Énergies",
    "Matériaux", "Instruments", "Composites", "Biotech", "Services", "Conseil", "Robotique", "Logiciels",
]  # fmt: skip

LEGAL_FORMS = ["SAS", "SA", "SARL", "SASU", "SAS", "SA"]

LAB_KINDS = [
    "Laboratoire de physique des matériaux", "Laboratoire d'électronique et de microsystèmes",
    "Institut de chimie moléculaire", "Laboratoire de génie des procédés", "Centre de recherche en biologie cellulaire",
    "Laboratoire d'informatique et de mathématiques appliquées", "Institut des sciences de l'ingénieur",
    "Laboratoire de mécanique et d'acoustique", "Laboratoire des énergies renouvelables",
    "Laboratoire de nutrition et d'agronomie", "Institut de recherche sur les matériaux avancés",
    "Laboratoire d'optique et de photonique", "Centre de recherche sur l'environnement et l'eau",
    "Laboratoire des systèmes embarqués", "Institut de neurosciences", "Laboratoire de science des polymères",
]  # fmt: skip

TRAINING_KINDS = ["Centre de formation aux métiers de l'industrie", "Institut de formation technique",
                  "Centre de formation continue", "Lycée technique et centre de formation d'apprentis"]  # fmt: skip
BUSINESS_ORGS = ["Chambre de commerce et d'industrie", "Union des industries", "Association des entreprises",
                 "Chambre des métiers"]  # fmt: skip
CONSULTANCIES = ["Agence de développement économique", "Association de conseil en innovation",
                 "Centre d'appui technologique"]  # fmt: skip
