def test_settings_load(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert "poles.core" in settings.INSTALLED_APPS
