"""The questionnaire's target groups and keywords, built in (loaded by a data migration)."""

TARGET_GROUPS = [
    ("company", "Entreprise", "Company"),
    ("ntbf", "Jeune entreprise technologique / entreprise de services à forte intensité de connaissance",
     "New technology-based firm / knowledge-intensive service firm"),
    ("business_org", "Organisation professionnelle (chambre de commerce, …)", "Business organisation (chamber of commerce, …)"),
    ("consultancy", "Cabinet de conseil ou prestataire de services privé (à but non lucratif)",
     "Consultancy or private service provider (non-profit)"),
    ("hei", "Établissement d'enseignement supérieur (fonction d'enseignement)", "Higher-education institution (education function)"),
    ("hei_research", "Unité ou centre de recherche d'enseignement supérieur", "Higher-education research unit or centre"),
    ("nonprofit_research", "Autre organisme de recherche à but non lucratif", "Other non-profit research organisation"),
    ("public_research", "Organisme public de recherche", "Public research organisation"),
    ("training", "Centre de formation", "Training centre"),
    ("local_authority", "Collectivité territoriale", "Local authority"),
]  # fmt: skip

KEYWORDS = [
    ("knowledge-transfer",
     "Transfert de connaissances (recherche contractuelle, licences, questions de recherche et de propriété "
     "intellectuelle dans les instituts publics, académiques ou à but non lucratif)",
     "Knowledge Transfer (contract research, licences, research and IPR issues in public/academic/non-profit institutes)"),
    ("cluster-policy", "Politique de clusters et de pôles", "Cluster policy"),
    ("collaborative-rd", "R&D collaborative entreprises–recherche", "Collaborative R&D between firms and research"),
    ("innovation-platforms", "Plateformes d'innovation et infrastructures de recherche partagées",
     "Innovation platforms and shared research infrastructures"),
    ("sme-growth", "Croissance et financement des PME", "SME growth and access to finance"),
    ("internationalisation", "Internationalisation", "Internationalisation"),
    ("skills", "Compétences et formation", "Skills and training"),
    ("ipr", "Gestion de la propriété intellectuelle", "IPR management"),
    ("entrepreneurship", "Entrepreneuriat et création d'entreprises innovantes", "Entrepreneurship and innovative start-ups"),
    ("regional-development", "Développement économique territorial", "Regional economic development"),
]  # fmt: skip
