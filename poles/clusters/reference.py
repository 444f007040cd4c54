"""Indicators that performance contracts set targets on; `source` names how poles computes it."""

KPIS = [
    ("members", "Membres", "Members", "", "members"),
    ("member-smes", "PME membres", "Member SMEs", "", "member_smes"),
    ("member-research", "Membres de la recherche et de la formation", "Research and training members", "", "member_research"),
    ("labelled-projects", "Projets labellisés", "Labelled projects", "", "labelled_projects"),
    ("funded-projects", "Projets financés", "Funded projects", "", "funded_projects"),
    ("public-aid", "Aides publiques obtenues", "Public aid obtained", "EUR", "public_aid"),
    ("triple-helix-projects", "Projets associant recherche publique, PME et grands groupes",
     "Projects associating public research, SMEs and large groups", "", "triple_helix_projects"),
    ("international-actions", "Actions internationales", "International actions", "", "international_actions"),
    ("training-actions", "Actions de formation", "Training actions", "", "training_actions"),
    ("sme-private-funding", "Fonds privés levés par les PME membres", "Private funding raised by member SMEs", "EUR",
     "sme_private_funding"),
]  # fmt: skip
