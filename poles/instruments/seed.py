"""The catalogue record that ships with poles: the French competitiveness-cluster policy.

Written from DESIGN.md §1 and the published figures of POLICY.md (sources named there).
"""

import datetime as dt

SEED_INSTRUMENT = {
    "kind": "instrument",
    "status": "published",
    "title_en": "Support to the competitiveness clusters (pôles de compétitivité)",
    "title_fr": "Soutien aux pôles de compétitivité",
    "country": "FR",
    "contact_person": "Direction de l'économie et de l'innovation",
    "contact_organisation": "Ville de Grenoble",
    "created_on": dt.date(2006, 5, 1),
    "active": True,
    "max_cofinancing_rate": 50,
    "keywords": [
        "knowledge-transfer",
        "cluster-policy",
        "collaborative-rd",
        "innovation-platforms",
        "sme-growth",
        "internationalisation",
        "skills",
        "ipr",
    ],  # fmt: skip
    "target_groups": [
        "company",
        "ntbf",
        "business_org",
        "consultancy",
        "hei",
        "hei_research",
        "nonprofit_research",
        "public_research",
        "training",
        "local_authority",
    ],  # fmt: skip
    "aim_en": (
        "Make regional ecosystems more competitive by bringing together companies (SMEs, mid-size firms, large "
        "groups), public and private research organisations, universities and training centres around a "
        "scientific and technological specialisation, so that they innovate together and create growth and jobs."
    ),
    "aim_fr": (
        "Renforcer la compétitivité des écosystèmes régionaux en réunissant entreprises (PME, ETI, grands groupes), "
        "organismes de recherche publics et privés, universités et centres de formation autour d'une spécialisation "
        "scientifique et technologique, pour qu'ils innovent ensemble et créent croissance et emplois."
    ),
    "overview_en": (
        "Since 2006 the State and local authorities (regions, départements, cities such as Grenoble) support "
        "labelled clusters through four levers: (1) strategic governance — a performance contract binds the State, "
        "local authorities, universities, labs, training centres and firms to each cluster's priorities and KPI "
        "targets, and clusters are evaluated; (2) financing structuring projects — calls for collaborative R&D "
        "projects and shared innovation platforms, labelled by the clusters, reviewed by experts and co-financed "
        "by several funders at rates set per partner category (e.g. SMEs 45 %, mid-size firms 30 %, large groups "
        "25 %, labs 40 % of full cost or 100 % of additional cost); (3) ecosystem services — competence "
        "management, international development, IPR management; (4) private funding for SME growth."
    ),
    "overview_fr": (
        "Depuis 2006, l'État et les collectivités (régions, départements, villes comme Grenoble) soutiennent les "
        "pôles labellisés par quatre leviers : (1) la gouvernance stratégique — un contrat de performance engage "
        "l'État, les collectivités, universités, laboratoires, centres de formation et entreprises sur les "
        "priorités et les cibles d'indicateurs de chaque pôle, évalué périodiquement ; (2) le financement de "
        "projets structurants — appels à projets de R&D collaborative et de plateformes d'innovation, labellisés "
        "par les pôles, expertisés et cofinancés par plusieurs financeurs à des taux fixés par catégorie de "
        "partenaire (par ex. PME 45 %, ETI 30 %, grands groupes 25 %, laboratoires 40 % du coût complet ou 100 % "
        "du coût marginal) ; (3) les services à l'écosystème — gestion des compétences, développement "
        "international, propriété intellectuelle ; (4) le financement privé de la croissance des PME."
    ),
    "outputs_quantitative_en": (
        "71 clusters labelled by July 2007 (67 in July 2005), 55 in phase 5 (2023–2026). Collaborative R&D fund "
        "(FUI) calls 1–9: 1,736 projects submitted, 813 funded, over EUR 1 bn from the State and EUR 570 M from "
        "local authorities; 10th call: 73 of 216 projects funded. About 4,000 member firms in 2006, 9,000 in 2012, "
        "18,500 members at the end of phase 4. Sources: Cour des comptes, France Stratégie, DGE (see POLICY.md)."
    ),
    "outputs_quantitative_fr": (
        "71 pôles labellisés en juillet 2007 (67 en juillet 2005), 55 en phase 5 (2023–2026). Fonds unique "
        "interministériel (FUI), appels 1 à 9 : 1 736 projets déposés, 813 financés, plus de 1 Md EUR de l'État et "
        "570 M EUR des collectivités ; 10e appel : 73 projets financés sur 216. Environ 4 000 entreprises membres "
        "en 2006, 9 000 en 2012, 18 500 membres à la fin de la phase 4. Sources : Cour des comptes, France "
        "Stratégie, DGE (voir POLICY.md)."
    ),
    "outputs_qualitative_en": (
        "National evaluations: in 2008, 39 clusters reached their objectives, 19 partly and 13 were to be "
        "reconfigured (6 delabelled in 2010); in 2012, 20 were very performant, 35 performant and 16 less "
        "performant — both Grenoble clusters, Minalogic and Tenerrdis, very performant. Firm-level studies find "
        "more R&D by member SMEs (+7.3 %, no crowding-out) but no effect on patents, turnover or exports in the "
        "short run, and warn that naive member/non-member comparisons overstate the effect."
    ),
    "outputs_qualitative_fr": (
        "Évaluations nationales : en 2008, 39 pôles avaient atteint leurs objectifs, 19 partiellement et 13 étaient "
        "à reconfigurer (6 délabellisés en 2010) ; en 2012, 20 très performants, 35 performants et 16 moins "
        "performants — les deux pôles grenoblois, Minalogic et Tenerrdis, très performants. Les études économétriques "
        "trouvent davantage de R&D chez les PME membres (+7,3 %, sans effet d'éviction) mais pas d'effet à court "
        "terme sur les brevets, le chiffre d'affaires ou les exportations, et montrent que les comparaisons naïves "
        "membres/non-membres surestiment l'effet."
    ),
}


def load_seed(instrument_model, keyword_model, target_group_model):
    """Create the seed record once (its English title is its key)."""
    values = dict(SEED_INSTRUMENT)
    keywords = values.pop("keywords")
    groups = values.pop("target_groups")
    instrument, created = instrument_model.objects.get_or_create(title_en=values["title_en"], defaults=values)
    if created:
        instrument.keywords.set(keyword_model.objects.filter(code__in=keywords))
        instrument.target_groups.set(target_group_model.objects.filter(code__in=groups))
    return instrument
