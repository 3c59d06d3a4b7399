from tests.factories import login
def test_login(client, cast):
    login(client, cast.coordinator)
