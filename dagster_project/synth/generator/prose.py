"""The prose of a report: 部门概况, 预算情况说明 restating the tables' figures, 名词解释.

Every figure a sentence states is the figure the tables print (the narrative reconciliation in
the warehouse compares them); the only exception is an injected `narrative_differs` error.
Sentences follow the shapes real 情况说明 use, so the narrative reader meets what it meets in
real reports: totals with their owner (本部门 … 收入预算), categories (基本支出, 项目支出), a
project count with its money, 三公 items, and per-code amounts printed as "2101501-行政运行".
"""

from __future__ import annotations

import random

from dagster_project.synth.generator.budget import Budget
from dagster_project.synth.generator.tables import Amount, NumberStyle, function_name

DUTIES = (
    "贯彻执行国家、省、市有关{field}工作的法律法规和方针政策，拟订{place}{field}事业发展规划并组织实施。",
    "负责{place}{field}资金的预算编制、执行和监督管理，提高资金使用效益。",
    "组织实施{field}领域的重点项目和民生实事，推进相关改革任务落实。",
    "负责本系统信息化建设、统计分析和信息发布工作。",
    "指导和监督下属单位的业务工作，组织开展业务培训和绩效评价。",
    "负责{field}领域安全生产、应急管理和突发事件处置的相关工作。",
    "承担{field}政策宣传、咨询服务和社会监督相关工作。",
    "完成{place}委、{place}政府交办的其他任务。",
)
ELABORATION = (
    "",
    "坚持以人民为中心的发展思想，统筹推进各项工作任务落实，不断提升人民群众的获得感、幸福感和安全感。",
    "建立健全工作机制，明确责任分工，加强部门协作，确保各项政策措施落地见效。",
    "加强{field}领域的监督检查，依法依规处理违法违规行为，维护群众合法权益。",
    "按照上级部署要求，结合本地实际，细化工作方案，压实工作责任，按期完成各项目标任务。",
)
TASKS = (
    "（一）持续深化{field}领域改革，完善制度体系，提升服务能力。",
    "（二）加强资金监管，规范资金使用，确保资金安全高效运行。",
    "（三）推进信息化建设，提升管理服务的便利化、精细化水平。",
    "（四）加强队伍建设，开展业务培训，提高干部职工的业务素质。",
    "（五）强化绩效管理，做到花钱必问效、无效必问责。",
)
GLOSSARY = (
    "第四部分 名词解释",
    "一、财政拨款收入：指本级财政当年拨付的资金。",
    "二、事业收入：指事业单位开展专业业务活动及其辅助活动所取得的收入。",
    "三、其他收入：指除上述“财政拨款收入”“事业收入”“经营收入”等以外的收入。",
    "四、上年结转：指以前年度尚未完成、结转到本年仍按原规定用途继续使用的资金。",
    "五、基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员经费和公用经费。",
    "六、项目支出：指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。",
    "七、“三公”经费：指纳入财政预算管理的因公出国（境）费、公务用车购置及运行费和公务接待费。"
    "其中，因公出国（境）费反映单位公务出国（境）的国际旅费、国外城市间交通费、住宿费、伙食费、培训费、"
    "公杂费等支出；公务用车购置及运行费反映单位公务用车车辆购置支出（含车辆购置税）及租用费、燃料费、"
    "维修费、过路过桥费、保险费等支出；公务接待费反映单位按规定开支的各类公务接待（含外宾接待）支出。",
    "八、机关运行经费：指为保障行政单位（含参照公务员法管理的事业单位）运行用于购买货物和服务的各项资金，"
    "包括办公及印刷费、邮电费、差旅费、会议费、福利费、日常维修费、专用材料及一般设备购置费、"
    "办公用房水电费、办公用房取暖费、办公用房物业管理费、公务用车运行维护费以及其他费用。",
)


def money(number: NumberStyle, fen: int) -> str:
    return f"{number.text(Amount(fen, zero='0.00'))}{number.unit}"


def _field(b: Budget) -> str:
    name = b.department_type.name
    if "医疗保障" in name:
        return "医疗保障"
    if "卫生健康" in name:
        return "卫生健康"
    if "疾病" in name:
        return "疾病预防控制"
    if "妇幼" in name:
        return "妇幼保健"
    return "医疗卫生"


CONTENTS = (
    "目 录", "第一部分 部门概况", "一、主要职能", "二、机构设置", "三、主要工作任务", "第二部分 预算收支情况说明",
    "一、收支预算总体情况说明", "二、支出预算情况说明", "三、项目支出情况说明", "四、“三公”经费预算情况说明",
    "五、机关运行经费情况说明", "六、政府采购情况说明", "七、国有资产占有使用情况", "八、预算绩效情况说明",
    "第三部分 预算公开报表", "第四部分 名词解释",
)


def overview(b: Budget, rng: random.Random) -> list[str]:
    """目录 and 第一部分: duties, organisation, tasks (no figures but the staff count)."""
    field = _field(b)
    place = b.place.name
    duties = rng.sample(DUTIES[:-1], rng.randint(4, len(DUTIES) - 1)) + [DUTIES[-1]]
    out = list(CONTENTS) + ["第一部分 部门概况", "一、主要职能", f"{b.department}的主要职责是："]
    out += [f"{i}. " + d.format(field=field, place=place[:-1] if place[-1] in "县区市" else place)
            + rng.choice(ELABORATION).format(field=field) for i, d in enumerate(duties, start=1)]
    out += ["二、机构设置", f"{b.department}编制人数{b.staff}人，内设办公室、业务科、财务科等机构。"]
    if len(b.units) > 1:
        out.append(f"纳入本部门预算编制范围的单位共{len(b.units)}个，包括：" + "、".join(u.name for u in b.units) + "。")
    out.append("三、主要工作任务")
    out += [t.format(field=field) for t in TASKS[: rng.randint(3, len(TASKS))]]
    return out


def explanation(b: Budget, number: NumberStyle, rng: random.Random, *, operating: bool = False) -> list[str]:
    """预算情况说明: every figure equals the tables'."""
    y = b.year
    m = lambda fen: money(number, fen)  # noqa: E731
    out = [
        "一、收支预算总体情况说明",
        f"{y}年本部门收入预算{m(b.total)}，支出预算{m(b.total)}。",
        f"{y}年基本支出{m(b.basic)}，主要用于保障机构正常运转和人员工资福利。",
        f"{y}年项目支出{m(b.project)}，主要用于完成特定工作任务。",
        f"人员经费{m(b.personnel)}，公用经费{m(b.public)}。人员经费主要包括基本工资、津贴补贴、奖金、社会保障缴费、"
        "住房公积金等，公用经费主要包括办公费、印刷费、水电费、差旅费、维修（护）费等。",
        "二、支出预算情况说明",
        f"{y}年支出预算中，主要支出项目如下：",
    ]
    shown = 0
    for line in sorted(b.functions, key=lambda f: -f.total):
        if shown >= 6:
            break
        if line.total and line.amount("general_budget")[0] == line.total:
            out.append(f"{line.code}-{function_name(line.code)}{m(line.total)}，主要用于相关工作支出。")
            shown += 1
    out.append(f"三、项目支出情况说明：{y}年共安排项目支出{len(b.projects)}个，预算资金{m(b.project)}。")
    tp = b.three_public
    out += [
        "四、“三公”经费预算情况说明",
        f"{y}年“三公”经费预算{m(tp.total)}，其中：因公出国（境）费{m(tp.overseas)}；公务接待费{m(tp.reception)}；"
        f"公务用车购置及运行费{m(tp.vehicle)}（其中：公务用车购置费{m(tp.vehicle_purchase)}，"
        f"公务用车运行费{m(tp.vehicle_operation)}）。",
    ]
    if operating:
        out += ["五、机关运行经费情况说明", f"{y}年本单位机关运行经费财政拨款预算{m(b.operating_expense)}。"]
    out += [
        "六、政府采购情况说明",
        f"{y}年本部门未安排政府采购预算。",
        "七、国有资产占有使用情况",
        f"截至上年末，本部门共有车辆{rng.randint(0, 4)}辆，单价50万元以上的通用设备0台（套）。",
        "八、预算绩效情况说明",
        f"{y}年本部门实行绩效目标管理的项目{len(b.projects)}个，涉及一般公共预算当年财政拨款"
        f"{m(sum(p.amount for p in b.projects if p.fund == 'general_budget'))}。",
    ]
    return out
