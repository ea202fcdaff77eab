"""The ASGI entry point: the client's address behind trusted proxies (core.proxies), then the
donation hot path (giving.intake) in front of Django."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonweal.settings")
django_application = get_asgi_application()

from commonweal.core.proxies import asgi_behind_proxies  # noqa: E402 - needs the apps loaded above
from commonweal.giving.intake import front  # noqa: E402

application = asgi_behind_proxies(front(django_application))
