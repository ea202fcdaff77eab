from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "commonweal.programs"
    label = "programs"

    def ready(self):
        # Program managers keep the indicators of labs and awards (no organization keeps them).
        from commonweal.impact.permissions import UNOWNED_KEEPERS
        from commonweal.programs.indicator_subjects import register_lab_kinds
        from commonweal.programs.permissions import is_office_manager

        UNOWNED_KEEPERS.append(is_office_manager)
        register_lab_kinds()
