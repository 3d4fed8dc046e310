"""Token authentication with roles: one query, compiled once per process on PostgreSQL, answering what
the ORM would."""

import pytest
from rest_framework.exceptions import AuthenticationFailed

from recovery.api import authentication
from recovery.api.authentication import TokenWithRolesAuthentication
from recovery.roles import Role, is_agent, is_manager

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
    TokenWithRolesAuthentication().authenticate_credentials(key)  # compiles the statement

    with django_assert_num_queries(1):
        user, token = TokenWithRolesAuthentication().authenticate_credentials(key)
        assert is_manager(user) and is_agent(user)

    orm_token, orm_user, groups = authentication._read(key)
    assert (user.pk, user.username, user.password, user.is_active) == (
        orm_user.pk,
        orm_user.username,
        orm_user.password,
        orm_user.is_active,
    )
    assert (token.key, token.user_id, token.created, token.user is user) == (
        key,
        manager.pk,
        orm_token.created,
        True,
    )
    assert Role.MANAGER in groups


def test_an_unknown_key_or_an_inactive_user_is_refused(agent, token_of):
    key = token_of(agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    for refused in ("not-a-key", key):
        with pytest.raises(AuthenticationFailed):
            TokenWithRolesAuthentication().authenticate_credentials(refused)
