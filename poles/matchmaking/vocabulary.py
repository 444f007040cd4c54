"""Competence keywords of the demo programme, by specialisation field, in French and English.

Why here: partner search needs organisations that describe what they do, and the registry's
demo has none. Each field of `poles.demo.reference.FIELDS` gets a handful of keywords that real
cluster members use; the demo step draws an organisation's competences from its clusters' fields.
"""

from __future__ import annotations

# field slug -> [(competence slug, French label, English label)]
COMPETENCES: dict[str, list[tuple[str, str, str]]] = {
    "micro-nano": [
        ("mems", "Capteurs MEMS", "MEMS sensors"),
        ("semiconductors", "Semi-conducteurs", "Semiconductors"),
        ("cleanroom-processes", "Procédés en salle blanche", "Clean-room processes"),
        ("power-electronics", "Électronique de puissance", "Power electronics"),
        ("integrated-circuits", "Conception de circuits intégrés", "Integrated circuit design"),
        ("nanomaterials", "Nanomatériaux", "Nanomaterials"),
    ],
    "embedded-software": [
        ("embedded-software", "Logiciel embarqué", "Embedded software"),
        ("edge-ai", "Intelligence artificielle embarquée", "Embedded artificial intelligence"),
        ("iot", "Internet des objets", "Internet of things"),
        ("cybersecurity", "Cybersécurité", "Cybersecurity"),
        ("real-time-systems", "Systèmes temps réel", "Real-time systems"),
        ("signal-processing", "Traitement du signal", "Signal processing"),
    ],
    "energy": [
        ("hydrogen", "Hydrogène et piles à combustible", "Hydrogen and fuel cells"),
        ("photovoltaics", "Photovoltaïque", "Photovoltaics"),
        ("batteries", "Batteries et stockage d'énergie", "Batteries and energy storage"),
        ("smart-grids", "Réseaux électriques intelligents", "Smart grids"),
        ("energy-efficiency", "Efficacité énergétique", "Energy efficiency"),
        ("biomass", "Biomasse et bioénergies", "Biomass and bioenergy"),
    ],
    "aerospace": [
        ("avionics", "Avionique", "Avionics"),
        ("aero-structures", "Aérostructures composites", "Composite aerostructures"),
        ("propulsion", "Propulsion", "Propulsion"),
        ("satellites", "Satellites et télécommunications spatiales", "Satellites and space communications"),
        ("drones", "Drones", "Drones"),
        ("mro", "Maintenance aéronautique", "Aircraft maintenance"),
    ],
    "mobility": [
        ("electric-vehicle", "Véhicule électrique", "Electric vehicle"),
        ("autonomous-vehicle", "Véhicule autonome", "Autonomous vehicle"),
        ("charging", "Recharge et bornes", "Charging infrastructure"),
        ("powertrain", "Motorisation hybride", "Hybrid powertrain"),
        ("lightweighting", "Allègement des structures", "Lightweight structures"),
        ("rail", "Ferroviaire", "Railways"),
    ],
    "health": [
        ("medical-devices", "Dispositifs médicaux", "Medical devices"),
        ("medical-imaging", "Imagerie médicale", "Medical imaging"),
        ("in-vitro-diagnostics", "Diagnostic in vitro", "In vitro diagnostics"),
        ("biotech", "Biotechnologies", "Biotechnology"),
        ("e-health", "E-santé et télémédecine", "E-health and telemedicine"),
        ("clinical-trials", "Essais cliniques", "Clinical trials"),
    ],
    "chemistry": [
        ("green-chemistry", "Chimie verte", "Green chemistry"),
        ("catalysis", "Catalyse", "Catalysis"),
        ("process-engineering", "Génie des procédés", "Process engineering"),
        ("bio-based", "Produits biosourcés", "Bio-based products"),
        ("polymers", "Polymères", "Polymers"),
        ("analytical-chemistry", "Chimie analytique", "Analytical chemistry"),
    ],
    "materials": [
        ("composites", "Matériaux composites", "Composite materials"),
        ("additive-manufacturing", "Fabrication additive", "Additive manufacturing"),
        ("ceramics", "Céramiques techniques", "Technical ceramics"),
        ("surface-treatment", "Traitement de surface", "Surface treatment"),
        ("metallurgy", "Métallurgie", "Metallurgy"),
        ("materials-characterisation", "Caractérisation des matériaux", "Materials characterisation"),
    ],
    "digital": [
        ("machine-learning", "Apprentissage automatique", "Machine learning"),
        ("cloud", "Informatique en nuage", "Cloud computing"),
        ("big-data", "Données massives", "Big data"),
        ("digital-twin", "Jumeau numérique", "Digital twin"),
        ("hpc", "Calcul haute performance", "High-performance computing"),
        ("computer-vision", "Vision par ordinateur", "Computer vision"),
    ],
    "agrifood": [
        ("plant-proteins", "Protéines végétales", "Plant proteins"),
        ("fermentation", "Fermentation", "Fermentation"),
        ("food-packaging", "Emballages alimentaires", "Food packaging"),
        ("food-safety", "Sécurité sanitaire des aliments", "Food safety"),
        ("precision-farming", "Agriculture de précision", "Precision farming"),
        ("nutrition", "Nutrition", "Nutrition"),
    ],
    "textiles": [
        ("technical-textiles", "Textiles techniques", "Technical textiles"),
        ("smart-textiles", "Textiles intelligents", "Smart textiles"),
        ("nonwovens", "Non-tissés", "Nonwovens"),
        ("fibres", "Fibres hautes performances", "High-performance fibres"),
        ("textile-recycling", "Recyclage textile", "Textile recycling"),
    ],
    "mechanics": [
        ("machining", "Usinage de précision", "Precision machining"),
        ("robotics", "Robotique", "Robotics"),
        ("predictive-maintenance", "Maintenance prédictive", "Predictive maintenance"),
        ("industry-40", "Usine du futur", "Factory of the future"),
        ("mechatronics", "Mécatronique", "Mechatronics"),
        ("metrology", "Métrologie", "Metrology"),
    ],
    "plastics": [
        ("injection-moulding", "Injection plastique", "Injection moulding"),
        ("plastics-recycling", "Recyclage des plastiques", "Plastics recycling"),
        ("bioplastics", "Bioplastiques", "Bioplastics"),
        ("elastomers", "Élastomères", "Elastomers"),
        ("extrusion", "Extrusion", "Extrusion"),
    ],
    "maritime": [
        ("naval", "Construction navale", "Shipbuilding"),
        ("offshore-wind", "Éolien en mer", "Offshore wind"),
        ("marine-robotics", "Robotique sous-marine", "Underwater robotics"),
        ("aquaculture", "Aquaculture", "Aquaculture"),
        ("port-logistics", "Logistique portuaire", "Port logistics"),
    ],
    "water": [
        ("water-treatment", "Traitement de l'eau", "Water treatment"),
        ("soil-remediation", "Dépollution des sols", "Soil remediation"),
        ("circular-economy", "Économie circulaire", "Circular economy"),
        ("waste-recovery", "Valorisation des déchets", "Waste recovery"),
        ("air-quality", "Qualité de l'air", "Air quality"),
        ("carbon-capture", "Captage du carbone", "Carbon capture"),
    ],
    "logistics": [
        ("urban-logistics", "Logistique urbaine", "Urban logistics"),
        ("supply-chain", "Chaîne d'approvisionnement", "Supply chain"),
        ("cold-chain", "Chaîne du froid", "Cold chain"),
        ("traceability", "Traçabilité", "Traceability"),
        ("multimodal-transport", "Transport multimodal", "Multimodal transport"),
    ],
    "construction": [
        ("energy-renovation", "Rénovation énergétique", "Energy renovation"),
        ("bim", "Maquette numérique du bâtiment", "Building information modelling"),
        ("timber-construction", "Construction bois", "Timber construction"),
        ("insulation", "Isolation thermique", "Thermal insulation"),
        ("smart-buildings", "Bâtiment intelligent", "Smart buildings"),
    ],
    "cosmetics": [
        ("formulation", "Formulation", "Formulation"),
        ("natural-ingredients", "Ingrédients naturels", "Natural ingredients"),
        ("fragrances", "Arômes et parfums", "Flavours and fragrances"),
        ("skin-biology", "Biologie de la peau", "Skin biology"),
        ("eco-design", "Écoconception", "Eco-design"),
    ],
    "media": [
        ("virtual-reality", "Réalité virtuelle", "Virtual reality"),
        ("video-games", "Jeu vidéo", "Video games"),
        ("3d-imaging", "Imagerie 3D", "3D imaging"),
        ("audiovisual", "Production audiovisuelle", "Audiovisual production"),
        ("interactive-content", "Contenus interactifs", "Interactive content"),
    ],
    "photonics": [
        ("lasers", "Lasers", "Lasers"),
        ("optronics", "Optronique", "Optronics"),
        ("optical-sensors", "Capteurs optiques", "Optical sensors"),
        ("lighting", "Éclairage LED", "LED lighting"),
        ("fibre-optics", "Fibres optiques", "Optical fibres"),
    ],
    "sports": [
        ("sports-equipment", "Équipements sportifs", "Sports equipment"),
        ("wearables", "Objets connectés portés", "Wearables"),
        ("outdoor", "Sports de montagne", "Mountain sports"),
        ("performance-analysis", "Analyse de la performance", "Performance analysis"),
    ],
    "wood": [
        ("wood-products", "Produits bois", "Wood products"),
        ("forest-management", "Gestion forestière", "Forest management"),
        ("wood-chemistry", "Chimie du bois", "Wood chemistry"),
        ("wood-energy", "Bois énergie", "Wood energy"),
    ],
}

# Equipment and platforms research bodies and large firms put forward, by field (French, English).
EQUIPMENT: dict[str, list[tuple[str, str]]] = {
    "micro-nano": [("Salle blanche de 800 m²", "800 m² clean room"), ("Ligne pilote 200 mm", "200 mm pilot line")],
    "embedded-software": [("Banc de test matériel dans la boucle", "Hardware-in-the-loop test bench")],
    "energy": [("Plateforme d'essais de batteries", "Battery test platform"), ("Banc d'électrolyse", "Electrolysis bench")],
    "aerospace": [("Soufflerie", "Wind tunnel")],
    "mobility": [("Piste d'essais de véhicules", "Vehicle test track")],
    "health": [("Plateau d'imagerie préclinique", "Preclinical imaging facility")],
    "chemistry": [("Pilote de chimie en flux continu", "Continuous-flow chemistry pilot")],
    "materials": [("Imprimantes 3D métal", "Metal 3D printers"), ("Microscope électronique", "Electron microscope")],
    "digital": [("Supercalculateur régional", "Regional supercomputer")],
    "mechanics": [("Cellule robotisée de démonstration", "Robotic demonstration cell")],
    "photonics": [("Plateforme laser femtoseconde", "Femtosecond laser platform")],
}  # fmt: skip

APPLICATIONS = [
    ("pour l'industrie du futur", "for the factory of the future"),
    ("pour la transition énergétique", "for the energy transition"),
    ("pour la santé connectée", "for connected health"),
    ("pour une mobilité décarbonée", "for low-carbon mobility"),
    ("démonstrateur industriel", "industrial demonstrator"),
    ("plateforme ouverte", "open platform"),
]
