import pytest

from xops.compliance.mapping import Framework, Requirement, framework_report, load_framework
from xops.core.errors import UsageError
from xops.core.models import Finding, Severity, Status


def finding(analyzer_id: str, status: Status) -> Finding:
    return Finding(analyzer_id=analyzer_id, account_id="1" * 12, region="global", resource_id="r",
                   status=status, severity=Severity.high, message="m")


def test_report_statuses_per_requirement() -> None:
    fw = Framework(id="t", title="T", version="1", source="ours", requirements=[
        Requirement(id="a", title="A", text="a", analyzers=["devsecops.x"]),
        Requirement(id="b", title="B", text="b", analyzers=["devsecops.y"]),
        Requirement(id="c", title="C", text="c", analyzers=["devsecops.z"]),
        Requirement(id="d", title="D", text="d", analyzers=["devsecops.none"]),
    ])
    findings = [finding("devsecops.x", Status.FAIL), finding("devsecops.x", Status.PASS),
                finding("devsecops.y", Status.PASS), finding("devsecops.z", Status.ERROR)]
    got = {r.requirement_id: (r.status, r.fail, r.passed, r.error) for r in framework_report(fw, findings)}
    assert got == {"a": ("FAIL", 1, 1, 0), "b": ("PASS", 0, 1, 0), "c": ("ERROR", 0, 0, 1),
                   "d": ("NOT_ASSESSED", 0, 0, 0)}


def test_apra_mapping_covers_access_data_exposure_detection_recovery() -> None:
    fw = load_framework("apra-cps-234")
    ids = {r.id for r in fw.requirements}
    assert {"para-21-access", "para-21-data", "para-21-exposure", "para-23", "para-24"} <= ids
    assert "devsecops.iam_user_console_without_mfa" in fw.analyzer_ids()


def test_unknown_framework() -> None:
    with pytest.raises(UsageError, match="unknown framework 'sox'"):
        load_framework("sox")
