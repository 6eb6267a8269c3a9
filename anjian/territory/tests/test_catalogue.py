from anjian.territory.catalogue import load_sectors
from anjian.territory.models import Sector


def test_catalogue_is_loaded_with_its_flags(db):
    mines = Sector.objects.get(code="non_coal_mine")
    assert mines.high_risk and mines.industrial_commercial
    assert not Sector.objects.get(code="education").industrial_commercial
    assert Sector.objects.get(code="dust_explosion").parent.code == "industry_trade"
    assert "dust_explosion" in Sector.objects.get(code="dust_explosion").tags


def test_the_seven_high_risk_industries_are_flagged(db):
    for code in ("coal_mine", "non_coal_mine", "hazardous_chemicals", "fireworks", "transport",
                 "construction", "civil_explosives", "metal_smelting"):
        assert Sector.objects.get(code=code).high_risk, code


def test_reloading_the_catalogue_changes_nothing(db):
    assert load_sectors() == 0
