from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.cloudwatch import Alarm


@each(Alarm, evidence=("actions_enabled", "alarm_actions", "ok_actions", "state"))
def check(a: Alarm, p: object, ctx: Ctx) -> Verdict:
    if a.alarm_actions and a.actions_enabled:
        return Pass(f"alarm {a.id} notifies {len(a.alarm_actions)} action(s)")
    why = "has no alarm actions" if not a.alarm_actions else "has its actions disabled"
    return Fail(f"alarm {a.id} {why}: nobody is notified when it fires",
                evidence={"metric": f"{a.namespace}/{a.metric_name}".strip("/")})
