"""Synthetic data: a realistic network of invented people and their answers (``socle synth``, tests, benchmarks).

:func:`build` writes, in a network (a new one by default, slug ``synth``):

1. **The frame**: ``establishments`` LCEP establishments across regions (``socle.network.synthetic.frame_rows``,
   seeded), a ``participating_share`` of them taking part, imported by the frame import itself
   (``import_frame_file``). A few large organisations own many establishments, many small ones own one to eight:
   the frame's member organisations are regrouped so that about 2 % of them, national ones, own about 30 % of
   the participating establishments.
2. **The frameworks**: the LCEP sector framework published in the network (the network's own when it has one),
   and each member organisation's framework adopted on it and published (``adopt_framework``,
   ``publish_version``).
3. **The campaigns**: a sector campaign for the year, and for each member organisation one campaign per wave
   (entry, follow-up; exit on demand) over its participating establishments, joining the sector campaign
   (``open_sector_campaign``, ``open_campaign``).
4. **The submissions**: people per participating establishment (``people`` in all, spread in proportion to the
   people each establishment supports, capped; or ``people_per_establishment``), each answering the entry
   questionnaire, a ``follow_up_share`` of them the follow-up questionnaire with their entry's follow-up code
   (its keyed hash, as ``submit`` stores it, so that entry and follow-up pair), and an ``exit_share`` the exit
   questionnaire when the exit wave is asked for. The answers come from ``socle.lib.collection.synthetic`` and
   are checked by the questionnaire; they are stored as ``submit`` stores them (the same normalised answers,
   digest and follow-up hash), with the mode (mostly self, some assisted and paper) and a reception time spread
   over the campaign's dates.

**Reproducible**: every random draw comes from ``random.Random`` seeded with the seed and the establishment's
FINESS number (and the person's number), never from the database: the same arguments give the same answers,
dates and modes, byte for byte. Only the follow-up hashes depend on the organisation's secret key.

**Idempotent**: the frame import and the frameworks, campaigns and links are looked up before they are made,
and each submission's uuid is ``uuid5`` of the network, seed, establishment, person and questionnaire; a
submission whose uuid is already stored is not made again. Running ``build`` twice with the same arguments adds
nothing; with more people, it adds the missing ones.

**Fast**: submissions go in through ``socle.imports.actions.insert_submissions`` (the file import's insert: a
``COPY`` on PostgreSQL, one ``INSERT`` per 2,000 rows on SQLite), one transaction per organisation; after each
batch the facts are updated as after an import's batch (``socle.measurement.actions.submissions_inserted``;
``update_facts=False`` leaves them to ``socle rebuild_facts``). They are the only rows written with their own
``received_at`` (``keep_received_at=True``): the model's ``auto_now_add`` stamps every real answer when it
arrives, and nothing ever updates a stored submission (the trigger is untouched).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import random
import time
import uuid as uuid_module
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.audit.models import AuditEvent, record
from socle.collection import actions as collection_actions
from socle.collection.models import Campaign, CollectionLink, SectorCampaign, Submission
from socle.frameworks.actions import adopt_framework, load_framework_text, publish_version
from socle.frameworks.demo import lcep_text
from socle.frameworks.models import Framework, FrameworkVersion
from socle.imports.actions import insert_submissions
from socle.lib.collection import followup
from socle.lib.collection import synthetic as people
from socle.lib.frameworks.document import dump_yaml
from socle.measurement import actions as facts
from socle.network.actions import ActionError
from socle.network.frame_import import import_frame_file
from socle.network.models import Establishment, Field, Network, Organisation
from socle.network.synthetic import COLUMNS, frame_rows

__all__ = ["DEFAULT_SLUG", "NAMESPACE", "SynthResult", "build", "is_synthetic"]

DEFAULT_SLUG = "synth"
# The uuids of synthetic submissions: uuid5(NAMESPACE, "<network>/<seed>/<FINESS>/<person>/<wave>/<questionnaire>").
NAMESPACE = uuid_module.UUID("0f4c7d0e-5a3b-4c2e-8f61-5b9e2d7c1a40")
PEOPLE_PER_ESTABLISHMENT = 100  # LCEP: 130,000 people supported a year for 1,300 establishments
WEIGHT_CAP = 500  # an establishment's weight in the spread of people: its people supported, at most this
BATCH = 2000
ENTRY, FOLLOW_UP, EXIT = people.ENTRY, people.FOLLOW_UP, people.EXIT  # the values of ``Wave``
WAVES = (ENTRY, FOLLOW_UP, EXIT)
CAMPAIGN_NAMES = {
    ENTRY: "Entrées {year} (synthétique)",
    FOLLOW_UP: "Suivis {year} (synthétique)",
    EXIT: "Sorties {year} (synthétique)",
}
SECTOR_CAMPAIGN_NAME = "LCEP {year} (synthétique)"
MARKERS = ("synthetic.building", "synthetic.built")


@dataclass
class SynthResult:
    """What :func:`build` made: the counts, and where the time went (seconds per phase)."""

    network: Network
    network_created: bool
    seed: int
    frame: int = 0  # establishments of the synthetic frame
    participating: int = 0
    organisations: int = 0  # member organisations with participating establishments
    largest_organisation: int = 0  # participating establishments of the largest one
    campaigns: int = 0
    people: int = 0
    new: dict[str, int] = field(default_factory=dict)  # wave -> submissions inserted now
    kept: dict[str, int] = field(default_factory=dict)  # wave -> submissions already stored
    reset: int = 0  # submissions deleted by reset
    facts_updated: bool = True  # False: the facts were left for a rebuild
    phases: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def submissions(self) -> int:
        return sum(self.new.values()) + sum(self.kept.values())


def build(
    network: str | Network | None = None,
    *,
    establishments: int = 1300,
    participating_share: float = 0.6,
    people: int | None = None,
    people_per_establishment: int | None = None,
    waves: Sequence[str] = (ENTRY, FOLLOW_UP),
    follow_up_share: float = 0.7,
    exit_share: float = 0.3,
    seed: int = 42,
    year: int = 2025,
    icc: float = 0.05,
    reset: bool = False,
    update_facts: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SynthResult:
    """Builds (or completes) a synthetic network; see the module docstring.

    ``network``: a slug (made when missing) or a network; ``people``: people answering at entry, in all
    (default: 100 per establishment of the frame); ``people_per_establishment`` instead gives each
    participating establishment the same number. ``reset`` first deletes the network's campaigns and
    submissions (only in a network that ``build`` made). ``update_facts=False`` leaves the facts (indicator
    statistics) as they were, for a caller that rebuilds them afterwards (``socle rebuild_facts``), such as a
    benchmark of the rebuild. ``progress(people_done, people_total)`` is called as the submissions are written.
    """
    _check_arguments(establishments, participating_share, people, people_per_establishment, waves, follow_up_share,
                     exit_share, icc)  # fmt: skip
    started = time.perf_counter()
    clock = _Clock()
    with transaction.atomic():
        target, created = _network(network)
        result = SynthResult(network=target, network_created=created, seed=seed)
        if reset:
            result.reset = _reset(target)
        clock.lap(result, "reset")
        rows = _frame(target, establishments, participating_share, seed)
        clock.lap(result, "frame")
        sector = _sector_version(target)
        participating = list(
            Establishment.objects.filter(
                network=target, finess__in=[r["finess"] for r in rows if r["participe"] == "oui"]
            )
            .select_related("type", "organisation")
            .order_by("finess")
        )
        by_organisation: dict[int, list[Establishment]] = {}
        for establishment in participating:
            by_organisation.setdefault(establishment.organisation_id or 0, []).append(establishment)
        organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=list(by_organisation))}
        versions = {pk: organisation_version(organisations[pk], sector) for pk in sorted(organisations)}
        clock.lap(result, "frameworks")
        sector_campaign = _sector_campaign(target, sector, year)
        campaigns = {
            pk: {
                wave: _campaign(organisations[pk], versions[pk], wave, year, by_organisation[pk], sector_campaign)
                for wave in waves
            }
            for pk in sorted(organisations)
        }
        record(
            "synthetic.building",
            network=target,
            target=target.slug,
            seed=seed,
            establishments=establishments,
            participating_share=participating_share,
            people=people,
            people_per_establishment=people_per_establishment,
            update_facts=update_facts,
            waves=list(waves),
            follow_up_share=follow_up_share,
            exit_share=exit_share,
            year=year,
        )
        clock.lap(result, "campaigns")
    result.frame = len(rows)
    result.participating = len(participating)
    result.organisations = len(organisations)
    result.largest_organisation = max((len(v) for v in by_organisation.values()), default=0)
    result.campaigns = sum(len(c) for c in campaigns.values())
    total = people if people is not None else PEOPLE_PER_ESTABLISHMENT * establishments
    counts = _spread(participating, total, people_per_establishment)
    result.people = sum(counts.values())
    shares = {FOLLOW_UP: follow_up_share, EXIT: exit_share}
    result.facts_updated = update_facts
    writer = _Writer(target, seed, year, icc, [str(wave) for wave in waves], shares, result, progress)
    for pk in sorted(organisations):
        writer.organisation(organisations[pk], versions[pk], campaigns[pk], by_organisation[pk], counts)
    clock.lap(result, "submissions")
    record(
        "synthetic.built",
        network=target,
        target=target.slug,
        seed=seed,
        people=result.people,
        new=result.new,
        kept=result.kept,
    )
    result.seconds = time.perf_counter() - started
    return result


def _check_arguments(
    establishments: int,
    participating_share: float,
    people: int | None,
    people_per_establishment: int | None,
    waves: Sequence[str],
    follow_up_share: float,
    exit_share: float,
    icc: float,
) -> None:
    if establishments < 1:
        raise ActionError(_("Build at least one establishment."))
    if people is not None and people_per_establishment is not None:
        raise ActionError(_("Give the number of people in all or per establishment, not both."))
    if (people is not None and people < 0) or (people_per_establishment is not None and people_per_establishment < 0):
        raise ActionError(_("The number of people cannot be negative."))
    for share in (participating_share, follow_up_share, exit_share):
        if not 0 <= share <= 1:
            raise ActionError(_("A share is a number between 0 and 1."))
    if not 0 <= icc < 1:
        raise ActionError(_("The intra-class correlation is a number between 0 and 1."))
    if ENTRY not in waves or any(wave not in WAVES for wave in waves):
        raise ActionError(_("The waves are entry, and optionally follow_up and exit."))


class _Clock:
    def __init__(self) -> None:
        self.last = time.perf_counter()

    def lap(self, result: SynthResult, name: str) -> None:
        now = time.perf_counter()
        result.phases[name] = result.phases.get(name, 0.0) + now - self.last
        self.last = now


# --- The network and its frame ------------------------------------------------------------------------------------


def _network(wanted: str | Network | None) -> tuple[Network, bool]:
    if isinstance(wanted, Network):
        network, created = wanted, False
    else:
        slug = wanted or DEFAULT_SLUG
        name = "Réseau synthétique" if slug == DEFAULT_SLUG else f"Réseau synthétique ({slug})"
        network, created = Network.objects.get_or_create(slug=slug, defaults={"name": name})
    network.fields.add(Field.objects.get(code="lcep"))
    return network, created


def is_synthetic(network: Network) -> bool:
    """Whether :func:`build` has written in this network (the only networks ``reset`` may empty)."""
    return AuditEvent.objects.filter(network=network, action__in=MARKERS).exists()


def _reset(network: Network) -> int:
    """Deletes the network's submissions, campaigns (their links and import jobs) and sector campaigns, and
    rebuilds its organisations' facts. The frame, organisations and frameworks stay: published framework
    versions are never deleted."""
    campaigns = Campaign.objects.filter(organisation__network=network)
    if not campaigns.exists() and not SectorCampaign.objects.filter(network=network).exists():
        return 0
    if not is_synthetic(network):
        message = _("The network %(slug)s was not built by socle synth: its answers are not deleted.")
        raise ActionError(message % {"slug": network.slug})
    submissions = Submission.objects.filter(campaign__in=campaigns)
    deleted = submissions.count()
    # Corrections first: a submission that another one corrects is protected until that one is gone.
    while submissions.filter(corrects__isnull=False).exists():
        submissions.filter(corrections__isnull=True, corrects__isnull=False).delete()
    submissions.delete()
    campaigns.delete()  # with their links, import jobs and facts
    SectorCampaign.objects.filter(network=network).delete()
    # The facts of the network's organisations, computed again from what remains (their activity data).
    facts.rebuild(list(Organisation.objects.filter(network=network).order_by("pk").values_list("pk", flat=True)))
    record("synthetic.reset", network=network, target=network.slug, submissions=deleted)
    return deleted


def _frame(network: Network, establishments: int, participating_share: float, seed: int) -> list[dict[str, str]]:
    """The synthetic frame's rows, regrouped into a few large organisations, imported by the frame import."""
    rows = frame_rows(establishments, seed=seed, participating_share=participating_share)
    _regroup(rows, random.Random(f"{seed}/organisations"))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    outcome = import_frame_file(
        network=network, filename="synthetic-frame.csv", content=buffer.getvalue().encode(), acting_user=None
    )
    if not outcome.ok:  # pragma: no cover - the synthetic frame is valid by construction
        raise RuntimeError(f"the synthetic frame does not import: {outcome.errors[:3]}")
    return rows


def _regroup(rows: list[dict[str, str]], rng: random.Random) -> None:
    """About one member organisation in 50 becomes a large (national) one, absorbing whole small member
    organisations until the large ones own about 30 % of the participating establishments."""
    members: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if row["participe"] == "oui":
            members.setdefault(row["siren"], []).append(row)
    if len(members) < 4:
        return
    heads = rng.sample(sorted(members), max(1, round(len(members) / 50)))
    pool = [siren for siren in sorted(members) if siren not in heads]
    rng.shuffle(pool)
    goal = 0.3 * sum(len(owned) for owned in members.values()) / len(heads)
    by_siren: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_siren.setdefault(row["siren"], []).append(row)
    for head in heads:
        first = by_siren[head][0]
        owned = len(members[head])
        while pool and owned < goal:
            absorbed = pool.pop()
            owned += len(members[absorbed])
            for row in by_siren[absorbed]:
                row.update(siren=head, organisme=first["organisme"], email_contact=first["email_contact"])


# --- Frameworks and campaigns -------------------------------------------------------------------------------------


def _sector_version(network: Network) -> FrameworkVersion:
    """The network's LCEP sector framework, latest published version; the one shipped with Socle, published,
    when it has none (coded ``lcep``, or ``lcep-<network>`` when another network already uses ``lcep``)."""
    found = (
        FrameworkVersion.objects.filter(
            framework__network=network,
            framework__kind=Framework.Kind.SECTOR,
            framework__field__code="lcep",
            status=FrameworkVersion.Status.PUBLISHED,
        )
        .select_related("framework")
        .order_by("-published_at", "-number")
        .first()
    )
    if found is not None:
        return found
    text = lcep_text()
    if Framework.objects.filter(slug="lcep").exclude(network=network).exists():
        document = yaml.safe_load(text)
        document["code"] = f"lcep-{network.slug}"[:64]
        text = dump_yaml(document)
    return load_framework_text(text, filename="lcep.yaml", network=network, publish=True).version


def organisation_version(organisation: Organisation, sector: FrameworkVersion) -> FrameworkVersion:
    """The organisation's framework on the sector one, latest published version; adopted and published when
    the organisation has none."""
    framework = Framework.objects.filter(organisation=organisation, base=sector.framework).first()
    if framework is None:
        framework = adopt_framework(organisation, sector, acting_user=None)
    versions = FrameworkVersion.objects.filter(framework=framework).select_related("framework", "base_version")
    published = versions.filter(status=FrameworkVersion.Status.PUBLISHED).order_by("-number").first()
    if published is not None:
        return published
    draft = versions.get(status=FrameworkVersion.Status.DRAFT)
    return FrameworkVersion.objects.select_related("framework", "base_version").get(
        pk=publish_version(draft, acting_user=None).pk
    )


def _sector_campaign(network: Network, sector: FrameworkVersion, year: int) -> SectorCampaign:
    name = SECTOR_CAMPAIGN_NAME.format(year=year)
    found = SectorCampaign.objects.filter(network=network, name=name, framework_version=sector).first()
    if found is not None:
        return found
    return collection_actions.open_sector_campaign(
        network,
        sector,
        name=name,
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        acting_user=None,
    )


def _campaign(
    organisation: Organisation,
    version: FrameworkVersion,
    wave: str,
    year: int,
    establishments: Sequence[Establishment],
    sector_campaign: SectorCampaign,
) -> Campaign:
    """The organisation's campaign of this wave, opened once; an establishment added to the organisation since
    gets its links."""
    name = CAMPAIGN_NAMES[wave].format(year=year)
    found = Campaign.objects.filter(organisation=organisation, name=name, wave=wave, framework_version=version).first()
    if found is None:
        joins = collection_actions.can_join(sector_campaign, organisation, version) == ""
        starts_on, ends_on = people.default_periods(year)[wave]
        return collection_actions.open_campaign(
            organisation,
            version,
            name=name,
            wave=wave,
            starts_on=starts_on,
            ends_on=ends_on,
            establishments=establishments,
            acting_user=None,
            sector_campaign=sector_campaign if joins else None,
        )
    codes = [q["code"] for q in version.effective_content().get("questionnaires", []) if wave in q["waves"]]
    linked = set(found.links.values_list("establishment_id", "questionnaire_code"))
    CollectionLink.objects.bulk_create(
        CollectionLink(
            code=collection_actions._link_code(),
            organisation=organisation,
            campaign=found,
            establishment=establishment,
            questionnaire_code=code,
        )
        for establishment in establishments
        for code in codes
        if (establishment.pk, code) not in linked
    )
    return found


# --- People and submissions ---------------------------------------------------------------------------------------


def _spread(establishments: Sequence[Establishment], total: int, each: int | None) -> dict[int, int]:
    """People per establishment: ``each`` everywhere, or ``total`` in proportion to the people each one supports
    (at most :data:`WEIGHT_CAP`), by largest remainders."""
    if each is not None:
        return {e.pk: each for e in establishments}
    if not establishments:
        return {}
    weights = [min(max(e.people_supported or 0, 1), WEIGHT_CAP) for e in establishments]
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return {e.pk: n for e, n in zip(establishments, counts, strict=True)}


@dataclass(frozen=True)
class _Questionnaires:
    """The forms a version's people answer at each wave."""

    forms: Mapping[str, tuple[people.Form, ...]]


class _Writer:
    """Makes and inserts the submissions, an organisation at a time (one transaction each)."""

    def __init__(
        self,
        network: Network,
        seed: int,
        year: int,
        icc: float,
        waves: Sequence[str],
        shares: Mapping[str, float],
        result: SynthResult,
        progress: Callable[[int, int], None] | None,
        periods: Mapping[str, tuple[datetime.date, datetime.date]] | None = None,
    ) -> None:
        self.network = network
        self.seed = seed
        self.icc = icc
        self.waves = tuple(waves)
        self.shares = shares
        self.result = result
        self.progress = progress
        self.periods = dict(periods) if periods is not None else people.default_periods(year)
        self.zone = timezone.get_default_timezone()
        self.done = 0
        self.forms: dict[str, people.Form] = {}
        self.questionnaires: dict[int, _Questionnaires] = {}
        for wave in WAVES:
            result.new.setdefault(wave, 0)
            result.kept.setdefault(wave, 0)

    # --- forms, compiled once per distinct questionnaire ---

    def _questionnaires(self, version: FrameworkVersion) -> _Questionnaires:
        if version.pk not in self.questionnaires:
            document = version.effective_content()
            lists = document.get("choice_lists", [])
            forms: dict[str, tuple[people.Form, ...]] = {}
            for wave in self.waves:
                found = []
                for spec in document.get("questionnaires", []):
                    if wave not in spec["waves"] or spec.get("audience") != "people_supported":
                        continue
                    key = hashlib.sha256(json.dumps([spec, lists], sort_keys=True).encode()).hexdigest()
                    if key not in self.forms:
                        self.forms[key] = people.form_of(document, spec["code"])
                    found.append(self.forms[key])
                forms[wave] = tuple(found)
            self.questionnaires[version.pk] = _Questionnaires(forms)
        return self.questionnaires[version.pk]

    # --- one organisation ---

    def organisation(
        self,
        organisation: Organisation,
        version: FrameworkVersion,
        campaigns: Mapping[str, Campaign],
        establishments: Sequence[Establishment],
        counts: Mapping[int, int],
    ) -> None:
        questionnaires = self._questionnaires(version)
        links = {
            (link.campaign_id, link.establishment_id, link.questionnaire_code): link.pk
            for link in CollectionLink.objects.filter(campaign__in=list(campaigns.values()))
        }
        with transaction.atomic():
            # Two builds into one organisation wait for each other: the second sees the first one's rows.
            list(Campaign.objects.select_for_update().filter(pk__in=[c.pk for c in campaigns.values()]))
            stored = set(
                Submission.objects.filter(campaign__in=list(campaigns.values())).values_list("uuid", flat=True)
            )
            key = collection_actions.followup_key(organisation)
            pending: list[Submission] = []
            for establishment in establishments:
                for submission in self._establishment(
                    organisation, version, campaigns, questionnaires, establishment, counts[establishment.pk],
                    links, stored, key,
                ):  # fmt: skip
                    pending.append(submission)
                    if len(pending) >= BATCH:
                        self._flush(pending)
                self.done += counts[establishment.pk]
                if self.progress is not None:
                    self.progress(self.done, self.result.people)
            self._flush(pending)

    def _flush(self, pending: list[Submission]) -> None:
        insert_submissions(pending, keep_received_at=True)
        if self.result.facts_updated:
            facts.submissions_inserted(pending)  # the facts follow, as after an import's batch
        for submission in pending:
            self.result.new[submission.wave] += 1
        pending.clear()

    def _uuid(self, finess: str, number: int, wave: str, code: str) -> uuid_module.UUID:
        return uuid_module.uuid5(NAMESPACE, f"{self.network.slug}/{self.seed}/{finess}/{number}/{wave}/{code}")

    def _establishment(
        self,
        organisation: Organisation,
        version: FrameworkVersion,
        campaigns: Mapping[str, Campaign],
        questionnaires: _Questionnaires,
        establishment: Establishment,
        count: int,
        links: Mapping[tuple[int, int, str], int],
        stored: set[uuid_module.UUID],
        key: bytes,
    ) -> Iterable[Submission]:
        finess = establishment.finess
        setting = people.draw_setting(people.setting_rng(self.seed, finess), establishment.type.code, icc=self.icc)
        for number in range(count):
            rng = people.person_rng(self.seed, finess, number)
            answering = people.answering(rng, self.shares)
            wanted = {
                (wave, form.code): self._uuid(finess, number, wave, form.code)
                for wave in self.waves
                if answering[wave]
                for form in questionnaires.forms[wave]
            }
            missing = {pair for pair, submission_uuid in wanted.items() if submission_uuid not in stored}
            for wave, _code in set(wanted) - missing:
                self.result.kept[wave] += 1
            if not missing:
                continue  # already built: nothing more to draw
            days = people.answer_days(rng, self.periods)
            followup_hash = ""
            for filled in people.respond(rng, setting, questionnaires.forms, answering, days):
                submission_uuid = wanted[(filled.wave, filled.code)]
                if filled.wave == ENTRY:
                    issued = collection_actions.issued_code(key, submission_uuid)
                    hashed = followup.keyed_hash(key, issued)
                    followup_hash = followup_hash or hashed
                else:
                    hashed = followup_hash  # the code given at entry, typed again
                if (filled.wave, filled.code) not in missing:
                    continue
                campaign = campaigns[filled.wave]
                yield Submission(
                    uuid=submission_uuid,
                    organisation_id=organisation.pk,
                    campaign_id=campaign.pk,
                    link_id=links.get((campaign.pk, establishment.pk, filled.code)),
                    establishment_id=establishment.pk,
                    framework_version_id=version.pk,
                    questionnaire_code=filled.code,
                    wave=filled.wave,
                    mode=filled.mode,
                    answers=filled.answers,
                    answers_sha256=collection_actions.answers_digest(filled.answers),
                    followup_hash=hashed,
                    quote_consent=filled.quote_consent,
                    received_at=datetime.datetime.combine(filled.day, filled.time, tzinfo=self.zone),
                )


def populate(
    organisation: Organisation,
    version: FrameworkVersion,
    campaigns: Mapping[str, Campaign],
    establishments: Sequence[Establishment],
    *,
    people_per_establishment: int,
    seed: int,
    year: int,
    follow_up_share: float = 0.7,
    exit_share: float = 0.0,
    periods: Mapping[str, tuple[datetime.date, datetime.date]] | None = None,
) -> SynthResult:
    """Invented people answering an existing organisation's campaigns (wave → campaign), as :func:`build` makes them
    for a synthetic network: the demo uses it for a past year of results. Idempotent, like :func:`build`.
    ``periods`` (wave → first and last day) bounds the days people answer (default: ``default_periods(year)``);
    the demo passes periods that end before today, so that no answer is dated in the future."""
    result = SynthResult(network=organisation.network, network_created=False, seed=seed)
    result.people = people_per_establishment * len(establishments)
    writer = _Writer(
        organisation.network,
        seed,
        year,
        0.05,
        [wave for wave in WAVES if wave in campaigns],
        {FOLLOW_UP: follow_up_share, EXIT: exit_share},
        result,
        None,
        periods,
    )
    counts = {establishment.pk: people_per_establishment for establishment in establishments}
    writer.organisation(organisation, version, campaigns, establishments, counts)
    return result
