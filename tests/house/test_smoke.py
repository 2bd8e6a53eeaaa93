def test_home_lists_the_three_eu_mission_cities(client):
    page = client.get("/").get_data(as_text=True)
    for name in ("Cluj-Napoca", "București Sector 2", "Suceava"):
        assert name in page


def test_login_as_works(client, login_as):
    user = login_as("admin")
    page = client.get("/admin/people")
    assert page.status_code == 200
    assert user.display_name in page.get_data(as_text=True)
