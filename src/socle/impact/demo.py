"""The demo's impact page: Horizon Solidaire's, composed from its entry campaign's results, its approved quote and
a drawn photo, then published. Safe to run again: a page already published is left as it is."""

from __future__ import annotations

import io

from socle.accounts.models import User
from socle.collection.access import campaigns_of
from socle.impact import actions, queries
from socle.impact.access import page_of, photos_of, publications_of
from socle.impact.models import ImpactPublication
from socle.network.models import Network, Organisation
from socle.qualitative.queries import approved_quotes

ORGANISATION = "horizon-solidaire"
MISSION = (
    "Horizon Solidaire accueille, héberge et accompagne des personnes sans domicile ou mal logées vers un logement "
    "durable, l'accès à leurs droits, aux soins et à l'emploi."
)
ACTIVITIES = (
    "Accueil de jour, centre d'hébergement et de réinsertion sociale, maraudes ; accompagnement social global, "
    "aide aux démarches administratives, orientation vers le soin et l'emploi."
)
IMP = {
    "imp_what": "Accès aux droits, stabilité du logement, confiance en soi : ce que les personnes nous disent "
    "compter le plus pour elles.",
    "imp_who": "Des adultes sans domicile ou en grande précarité, souvent éloignés de tout accompagnement.",
    "imp_how_much": "Plusieurs centaines de personnes accompagnées par an ; les effets sont suivis de l'entrée "
    "au suivi à six mois.",
    "imp_contribution": "Les personnes interrogées disent ce qui a changé grâce à l'accompagnement ; nous ne "
    "comparons pas encore à un groupe témoin.",
    "imp_risk": "Une partie des personnes n'est pas joignable au suivi : les résultats peuvent être plus "
    "favorables que la réalité. Nous le surveillons campagne après campagne.",
}


def _photo() -> bytes:
    """A drawn picture (no real person): a sunrise over houses."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (960, 480), "#dfeaf5")
    draw = ImageDraw.Draw(image)
    draw.ellipse((380, 170, 580, 370), fill="#f4b942")
    draw.rectangle((0, 330, 960, 480), fill="#6a8f5a")
    for x, height, colour in ((90, 120, "#c75b39"), (300, 90, "#e0d3b8"), (620, 140, "#8c5a3c"), (790, 100, "#d98e5f")):
        draw.rectangle((x, 400 - height, x + 130, 400), fill=colour)
        draw.polygon([(x - 15, 400 - height), (x + 65, 400 - height - 60), (x + 145, 400 - height)], fill="#5b3a29")
        draw.rectangle((x + 50, 350, x + 80, 400), fill="#3b2a20")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def load_demo_impact(network: Network) -> ImpactPublication:
    """Publishes Horizon Solidaire's page (once)."""
    horizon = Organisation.objects.get(network=network, slug=ORGANISATION)
    page = page_of(horizon)
    latest = publications_of(horizon.pk).order_by("-version").first()
    if page.published and latest is not None:
        return latest
    admin = User.objects.filter(memberships__organisation=horizon, memberships__role="org_admin").first()
    campaign = (
        campaigns_of(horizon.pk).filter(wave="entry").select_related("framework_version").order_by("-starts_on").first()
    )
    codes = []
    if campaign is not None:
        codes = [c.code for c in queries.candidates(horizon.pk, campaign) if c.figure.shown][:6]
    actions.save_draft(
        horizon,
        {
            "mission": MISSION,
            "activities": ACTIVITIES,
            "campaign": campaign,
            "indicators": codes,
            "quotes": [str(q.public_id) for q in approved_quotes(horizon.pk)][:2],
            **IMP,
        },
        acting_user=admin,
    )
    if not photos_of(horizon.pk).exists():
        actions.add_photo(
            horizon,
            _photo(),
            alt_text="Dessin : un soleil se lève derrière quatre maisons.",
            caption="Illustration de démonstration.",
            acting_user=admin,
        )
    return actions.publish(horizon, acting_user=admin)
