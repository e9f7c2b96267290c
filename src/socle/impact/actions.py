"""Writes of the impact pages: saving the draft, adding and removing photos, publishing and unpublishing.

Each function is one transaction that writes one audit row and takes the acting user; anything wrong raises
``ActionError`` with a message for the person, and nothing is written.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.audit.models import record
from socle.impact.access import pages_of, photos_of, publications_of
from socle.impact.models import ImpactPage, ImpactPhoto, ImpactPublication
from socle.impact.queries import compose
from socle.network.actions import ActionError
from socle.network.models import Organisation

__all__ = ["MAX_PHOTO_BYTES", "MAX_PHOTO_SIDE", "add_photo", "publish", "remove_photo", "save_draft", "unpublish"]

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_SIDE = 1600  # pixels: larger photos are scaled down
MAX_PHOTOS = 6
DRAFT_FIELDS = (
    "mission",
    "activities",
    "campaign",
    "indicators",
    "quotes",
    "show_activity",
    "show_theory_of_change",
    "show_sector",
    "imp_what",
    "imp_who",
    "imp_how_much",
    "imp_contribution",
    "imp_risk",
)


def _actor(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def save_draft(organisation: Organisation, values: Mapping[str, Any], *, acting_user: Any) -> ImpactPage:
    """Saves the draft's fields (the composer's cleaned form: ``campaign`` is one of the organisation's campaigns
    or None, ``indicators`` and ``quotes`` lists of codes and public ids)."""
    unknown = set(values) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"not a field of the impact page: {', '.join(sorted(unknown))}")
    campaign = values.get("campaign")
    if campaign is not None and campaign.organisation_id != organisation.pk:
        raise ActionError(_("This campaign is not one of the organisation's."))
    with transaction.atomic():
        page, _created = ImpactPage.objects.select_for_update().get_or_create(organisation=organisation)
        for name, value in values.items():
            setattr(page, name, value)
        page.updated_by = _actor(acting_user)
        page.save()
        record("impact.draft_saved", actor=acting_user, organisation=organisation, network=organisation.network)
    return page


def _reencoded(data: bytes) -> tuple[bytes, int, int]:
    """The photo as a JPEG of at most MAX_PHOTO_SIDE pixels a side, turned upright, without its metadata (place,
    camera, date); ActionError when it is not a JPEG, PNG or WebP image."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG", "WEBP"):
                raise ActionError(_("A photo must be a JPEG, PNG or WebP image."))
            upright = ImageOps.exif_transpose(image) or image
            upright.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
            clean = Image.new("RGB", upright.size, "white")
            clean.paste(upright.convert("RGBA"), mask=upright.convert("RGBA").getchannel("A"))
            out = io.BytesIO()
            clean.save(out, "JPEG", quality=82, optimize=True, progressive=True)
            return out.getvalue(), clean.width, clean.height
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        if isinstance(error, ActionError):
            raise
        raise ActionError(_("This file is not an image that can be read (JPEG, PNG or WebP).")) from None


def add_photo(
    organisation: Organisation, data: bytes, *, alt_text: str, caption: str = "", acting_user: Any
) -> ImpactPhoto:
    """Adds a photo to the draft: re-encoded without metadata; the alternative text is required."""
    alt_text = alt_text.strip()
    if not alt_text:
        raise ActionError(_("Describe the photo in its alternative text: people who cannot see it read that."))
    if len(data) > MAX_PHOTO_BYTES:
        raise ActionError(_("A photo must weigh at most 8 MB."))
    if photos_of(organisation.pk).filter(removed_at__isnull=True).count() >= MAX_PHOTOS:
        raise ActionError(_("A page shows at most %(count)d photos: remove one first.") % {"count": MAX_PHOTOS})
    content, width, height = _reencoded(data)
    with transaction.atomic():
        photo = ImpactPhoto.objects.create(
            organisation=organisation,
            content=content,
            width=width,
            height=height,
            alt_text=alt_text[:300],
            caption=caption.strip()[:300],
            added_by=_actor(acting_user),
        )
        record("impact.photo_added", actor=acting_user, organisation=organisation, target=str(photo.public_id))
    return photo


def remove_photo(photo: ImpactPhoto, *, acting_user: Any) -> None:
    """Takes the photo off the draft; published versions that show it keep it."""
    with transaction.atomic():
        photos_of(photo.organisation_id).filter(pk=photo.pk).update(removed_at=timezone.now())
        record(
            "impact.photo_removed",
            actor=acting_user,
            organisation=photo.organisation,
            target=str(photo.public_id),
        )


def publish(organisation: Organisation, *, acting_user: Any) -> ImpactPublication:
    """Publishes the draft as a new version: its content is computed now, every figure filtered for the public,
    and never changes afterwards; the page is public until it is unpublished."""
    with transaction.atomic():
        page, _created = ImpactPage.objects.select_for_update().get_or_create(organisation=organisation)
        photos = list(photos_of(organisation.pk).filter(removed_at__isnull=True).order_by("added_at", "id"))
        content = compose(organisation, page, photos)
        if not (content["mission"].strip() or content["indicators"] or content["activity"]):
            raise ActionError(_("Write the mission or choose figures before publishing: the page would be empty."))
        version = (publications_of(organisation.pk).aggregate(m=Max("version"))["m"] or 0) + 1
        publication = ImpactPublication.objects.create(
            organisation=organisation, version=version, content=content, published_by=_actor(acting_user)
        )
        pages_of(organisation.pk).filter(pk=page.pk).update(published=True)
        record(
            "impact.published",
            actor=acting_user,
            organisation=organisation,
            network=organisation.network,
            target=str(publication.public_id),
            version=version,
        )
    return publication


def unpublish(organisation: Organisation, *, acting_user: Any) -> None:
    """Takes the page off the public web (its versions are kept, and publishing again shows a new one)."""
    with transaction.atomic():
        changed = pages_of(organisation.pk).filter(published=True).update(published=False)
        if not changed:
            raise ActionError(_("The page is not published."))
        record("impact.unpublished", actor=acting_user, organisation=organisation, network=organisation.network)
