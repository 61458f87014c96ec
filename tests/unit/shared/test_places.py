"""The register of places: the shipped street, its communities and alleys, and the geometry
the rest of the system asks of it."""
import json
from pathlib import Path

import pytest

from shared import places

ROOT = Path(__file__).resolve().parents[3]
FACTS = json.loads((ROOT / "deploy" / "demo" / "guangling.json").read_text(encoding="utf-8"))
BEIJING = (39.9, 116.4)


@pytest.fixture(autouse=True)
def shipped_register(monkeypatch):
    monkeypatch.delenv(places.ENVIRONMENT, raising=False)
    places.reload()
    yield
    monkeypatch.delenv(places.ENVIRONMENT, raising=False)
    places.reload()


def test_the_shipped_register_is_the_demo_street():
    assert places.street() == "广陵街道"
    assert places.communities() == [c["name"] for c in FACTS["communities"]]
    assert places.is_community("永福社区") and not places.is_community("火星社区")
    assert not places.is_community(None) and not places.is_community("")


def test_every_demo_alley_is_registered_with_its_community():
    for community in FACTS["communities"]:
        assert [a["name"] for a in places.alleys(community["name"])] == \
            [a["name"] for a in community["alleys"]]
        for alley in community["alleys"]:
            assert places.is_alley(alley["name"], community["name"])
            found = next(a for a in places.alleys() if a["name"] == alley["name"])
            assert (found["lat"], found["long"]) == (alley["lat"], alley["long"])


def test_every_demo_place_falls_inside_its_own_community():
    # The demo scatters work orders up to 0.0006° around an alley's point; every corner of
    # that box, the community's centre and each employer's alley are inside the community.
    for community in FACTS["communities"]:
        name = community["name"]
        centre = community["centre"]
        assert places.community_at(centre["lat"], centre["long"]) == name
        for alley in community["alleys"]:
            for dlat in (-0.0006, 0, 0.0006):
                for dlong in (-0.0006, 0, 0.0006):
                    lat, long = alley["lat"] + dlat, alley["long"] + dlong
                    assert places.community_at(lat, long) == name, (alley["name"], lat, long)
                    assert places.inside_street(lat, long)
    for venue in FACTS["venues"] + FACTS["employers"] + FACTS["exemplars"]:
        assert venue["community"] is None or places.is_community(venue["community"])


def test_the_communities_cover_the_street_without_overlapping():
    register = places.register()
    inside = 0
    for i in range(0, 61):
        for j in range(0, 61):
            lat, long = 32.676 + i * 0.00048, 118.982 + j * 0.0008
            owners = [c.name for c in register.communities
                      if places._in_area(long, lat, c.area)]
            if places.inside_street(lat, long):
                inside += 1
                assert len(owners) == 1, (lat, long, owners)
                assert places.community_at(lat, long) == owners[0]
            else:
                assert owners == [] and places.community_at(lat, long) is None
    assert inside > 1000  # the grid really crossed the street


def test_a_point_in_yongfu_is_yongfu_and_beijing_is_nowhere():
    assert places.community_at(32.6984, 118.9922) == "永福社区"
    assert places.inside_street(32.6984, 118.9922)
    assert not places.inside_street(*BEIJING) and places.community_at(*BEIJING) is None


def test_published_register_lists_communities_alleys_and_digest():
    published = places.published()
    assert published["street"] == {"name": "广陵街道", "city": "天长市"}
    assert [c["name"] for c in published["communities"]] == places.communities()
    tianbao = next(c for c in published["communities"] if c["name"] == "天宝社区")
    assert tianbao["alleys"] == ["聚宝路", "天宝巷", "胜利巷", "宝林巷"]
    assert places.community_at(tianbao["centre"]["lat"], tianbao["centre"]["long"]) == "天宝社区"
    assert len(published["digest"]) == 16 and published["digest"] == places.summary()["digest"]


def square(long, lat, size):
    return [[long, lat], [long + size, lat], [long + size, lat + size], [long, lat + size],
            [long, lat]]


def feature(kind, name, geometry, **properties):
    return {"type": "Feature", "properties": {"kind": kind, "name": name, **properties},
            "geometry": geometry}


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


STREET = feature("street", "东关街道", {"type": "Polygon", "coordinates": [square(119.4, 32.39, 0.02)]})
EAST = feature("community", "东关社区", {"type": "Polygon", "coordinates": [square(119.41, 32.39, 0.01)]})


def test_deployment_replaces_the_register_with_its_own_file(tmp_path, monkeypatch):
    other = tmp_path / "street.geojson"
    other.write_text(collection(STREET, EAST, feature(
        "alley", "东关街", {"type": "Point", "coordinates": [119.415, 32.395]},
        community="东关社区")), encoding="utf-8")
    monkeypatch.setenv(places.ENVIRONMENT, str(other))
    places.reload()
    assert places.street() == "东关街道" and places.communities() == ["东关社区"]
    assert not places.is_community("永福社区")
    assert places.community_at(32.395, 119.415) == "东关社区"
    assert places.inside_street(32.395, 119.405) and places.community_at(32.395, 119.405) is None
    assert places.alleys() == [{"name": "东关街", "community": "东关社区", "lat": 32.395,
                                "long": 119.415}]


@pytest.mark.parametrize("text, complaint", [
    ("not json", "不是有效的 GeoJSON"),
    (json.dumps({"type": "Feature"}), "FeatureCollection"),
    (collection(EAST), "缺少街道"),
    (collection(STREET), "至少要登记一个社区"),
    (collection(STREET, EAST, EAST), "社区名称重复"),
    (collection(STREET, feature("community", "火星社区", {
        "type": "Polygon", "coordinates": [square(116.4, 39.9, 0.01)]})), "超出了东关街道"),
    (collection(STREET, EAST, feature("alley", "无名巷", {
        "type": "Point", "coordinates": [119.415, 32.395]}, community="火星社区")), "未登记"),
    (collection(STREET, EAST, feature("alley", "西巷", {
        "type": "Point", "coordinates": [119.405, 32.395]}, community="东关社区")), "不在东关社区"),
    (collection(STREET, EAST, feature("river", "运河", None)), "kind 应为"),
])
def test_a_broken_register_is_refused_whole(text, complaint):
    with pytest.raises(places.PlacesError, match=complaint):
        places.parse(text)


def test_a_missing_file_says_which(tmp_path, monkeypatch):
    monkeypatch.setenv(places.ENVIRONMENT, str(tmp_path / "nowhere.geojson"))
    with pytest.raises(places.PlacesError, match="nowhere.geojson"):
        places.reload()
