"""Django's admin holds reference data only, for superusers; staff work in the console."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from sunshine.schools.models import Compound, District


class SuperuserOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # schools and zones refer to them


@admin.register(District)
class DistrictAdmin(SuperuserOnly):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Compound)
class CompoundAdmin(SuperuserOnly):
    list_display = ("code", "name", "district", "street", "community", "buildings")
    list_filter = ("district",)
    search_fields = ("code", "name")
