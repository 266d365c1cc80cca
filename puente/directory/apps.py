from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "puente.directory"
    label = "directory"
    verbose_name = "Resource directory"
