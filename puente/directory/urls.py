from django.urls import path

from . import api, views, views_bridge, views_export, views_imports

app_name = "directory"
urlpatterns = [
    path("directory/", views.directory_search, name="search"),
    path("directory/services/<uuid:pk>/", views.service_detail, name="service"),
    path("directory/services/<uuid:pk>/verify/", views.verify_service, name="verify"),
    path("directory/services/<uuid:pk>/capacity/", views.set_capacity, name="capacity"),
    path("directory/services/<uuid:pk>/edit/", views.edit_listing, name="edit"),
    path("directory/services/<uuid:pk>/report/", views.report_problem, name="report"),
    path("directory/curation/", views.curation_queue, name="curation"),
    path("directory/reports/<uuid:pk>/resolve/", views.resolve_report, name="resolve"),
    path("directory/imports/", views_imports.import_list, name="imports"),
    path("directory/imports/<uuid:pk>/", views_imports.import_detail, name="import"),
    path("directory/imports/<uuid:pk>/rejections.csv", views_imports.import_rejections_csv, name="import_rejections"),
    # The taxonomy bridge editor (administrators; views_bridge.py).
    path("directory/bridge/", views_bridge.bridge_list, name="bridge"),
    path("directory/bridge/by-code/", views_bridge.bridge_add_by_code, name="bridge_add_by_code"),
    path("directory/bridge/terms/<uuid:pk>/", views_bridge.bridge_term, name="bridge_term"),
    path("directory/bridge/terms/<uuid:pk>/add/", views_bridge.bridge_add, name="bridge_add"),
    path("directory/bridge/terms/<uuid:pk>/remove/", views_bridge.bridge_remove, name="bridge_remove"),
    # Downloads of the whole directory as HSDS 3.0 (administrators; views_export.py).
    path("directory/export.zip", views_export.export_package, name="export_zip"),
    path("directory/export.json", views_export.export_json, name="export_json"),
    # The HSDS 3.0 API (read-only, public; see api.py). Paths as in the HSDS OpenAPI, without trailing slashes.
    path("api/hsds/", api.api_root, name="hsds_root"),
    path("api/hsds/services", api.service_list, name="hsds_services"),
    path("api/hsds/services/<uuid:pk>", api.service_detail, name="hsds_service"),
    path("api/hsds/organizations", api.organization_list, name="hsds_organizations"),
    path("api/hsds/organizations/<uuid:pk>", api.organization_detail, name="hsds_organization"),
    path("api/hsds/taxonomies", api.taxonomy_list, name="hsds_taxonomies"),
    path("api/hsds/taxonomy_terms", api.taxonomy_term_list, name="hsds_taxonomy_terms"),
]
