from django.contrib import admin

from .models import CaseloadTarget, WorkerProfile


@admin.register(WorkerProfile)
class WorkerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "counties", "organization"]
    list_select_related = ["user", "organization"]


@admin.register(CaseloadTarget)
class CaseloadTargetAdmin(admin.ModelAdmin):
    list_display = ["team", "low", "high", "organization"]
    list_select_related = ["team", "organization"]
