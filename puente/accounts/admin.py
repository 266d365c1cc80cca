"""Administration of organizations, staff, teams and units. Patient data is never edited here
(it must go through services, which audit); tokens can only be revoked, never created or edited."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .models import ApiToken, Organization, Team, TeamMembership, Unit, User
from .services import revoke_api_token


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "organization", "role"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ["full_name"]
    list_display = ["email", "full_name", "organization", "role", "is_active"]
    list_filter = ["organization", "role", "is_active"]
    search_fields = ["email", "full_name"]
    filter_horizontal = ["units", "groups", "user_permissions"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "credentials", "language", "languages_spoken"]}),
        ("Work", {"fields": ["organization", "role", "discipline", "units"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "full_name", "organization", "role", "password1", "password2"]},
        )
    ]


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 1
    fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "supervisor"]
    list_filter = ["organization"]
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            obj.organization_id = form.instance.organization_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["facility", "name", "organization"]
    list_filter = ["organization"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "scopes", "last_used_at", "revoked_at"]
    readonly_fields = ["organization", "user", "name", "prefix", "key_hash", "scopes", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are created with `manage.py create_api_token`, which shows the key once

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.active():
            revoke_api_token(token, by=request.user)
