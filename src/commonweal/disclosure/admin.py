"""Back office for disclosure: one module per concern, registered on import."""

from commonweal.disclosure.admin_complaints import *  # noqa: F401,F403
from commonweal.disclosure.admin_reporting import *  # noqa: F401,F403
