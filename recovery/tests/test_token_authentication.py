"""Token authentication with roles: the user, its token and its roles in one query."""

import pytest
from rest_framework.exceptions import AuthenticationFailed

from recovery.api.authentication import TokenWithRolesAuthentication
from recovery.roles import is_agent, is_manager

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def token_of(django_user_model):
    from rest_framework.authtoken.models import Token

    def make(user):
        return Token.objects.create(user=user).key

    return make


def test_a_key_reads_the_user_its_token_and_its_roles_in_one_query(
    manager, token_of, django_assert_num_queries
):
    key = token_of(manager)

    with django_assert_num_queries(1):
        user, token = TokenWithRolesAuthentication().authenticate_credentials(key)
        assert is_manager(user) and is_agent(user)

    assert (user.pk, user.username, user.is_active) == (manager.pk, manager.username, True)
    assert (token.key, token.user_id, token.user is user) == (key, manager.pk, True)


def test_an_unknown_key_or_an_inactive_user_is_refused(agent, token_of):
    key = token_of(agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    for refused in ("not-a-key", key):
        with pytest.raises(AuthenticationFailed):
            TokenWithRolesAuthentication().authenticate_credentials(refused)
