"""``{% load scorecard %}{% org_scorecard_of org as scorecard %}``: an organization's stored
scorecard (one query), for pages of lower apps that cannot import ``disclosure`` (the
organization page in ``projects``)."""

from django import template

from commonweal.disclosure.selectors.scorecard import org_scorecard

__all__ = ["org_scorecard_of"]

register = template.Library()


@register.simple_tag
def org_scorecard_of(org):
    """The :class:`~commonweal.disclosure.selectors.scorecard.Scorecard` of ``org``, or None."""
    return org_scorecard(org=org)
