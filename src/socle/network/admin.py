from django.contrib import admin

from socle.network.models import (
    Establishment,
    EstablishmentType,
    FacilitatorConsent,
    Field,
    Invitation,
    Membership,
    Network,
    Organisation,
)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name_fr", "name_en", "position"]


@admin.register(EstablishmentType)
class EstablishmentTypeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name_fr", "field", "position"]
    list_filter = ["field"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["slug", "name", "created_at"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "siren", "network", "is_member"]
    list_filter = ["network", "is_member"]
    search_fields = ["name", "siren"]


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "finess", "type", "departement", "organisation", "participates"]
    list_filter = ["network", "participates", "type", "region"]
    search_fields = ["name", "finess"]
    raw_id_fields = ["organisation"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "role", "network", "organisation"]
    list_filter = ["role", "network"]
    raw_id_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["email", "role", "network", "organisation", "created_at", "expires_at", "accepted_at"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_at", "accepted_by"]


@admin.register(FacilitatorConsent)
class FacilitatorConsentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["organisation", "facilitator", "granted_at", "revoked_at"]
