"""The seed schemes built in code (issue 4), shared by the engine and file tests.

Grading rules 1–12 of the Shenzhen department scheme are the seed's own text.
Everything the seed does not give (rule 13 is cut off after "良：三项", rules
14–23 are missing, table 2 has no rules at all, the Xiamen table has none) is a
stand-in: the indicator's ``stand_in`` says what it does, and explanations show
it. Stand-ins are neutral: the score the data-collecting body reports, or a
measure from the published definition graded by a marked stand-in scale; never
an invented veto, penalty or default.
"""

from __future__ import annotations

from perfrules import (
    Default,
    GradeBand,
    GradeScale,
    Group,
    Indicator,
    NotApplicable,
    Part,
    PeerRatio,
    Rank,
    Scheme,
    ZeroWhen,
    normalize_name,
)

RATE = (0, 1)
PERIODS_STAND_IN = "原文未给出按季度、月度报送的结果如何得出年度结果：年度得分取各报送期得分的平均数"
NOT_APPLICABLE_DEPARTMENTS = "原文只规定第5–8项不适用时“相应分数权重调整至公共服务白皮书”：被评估单位申报其他指标不适用时，该指标不计分，其权重按比例分配给同组其他适用指标（本组没有其他适用指标时，分配给其余全部适用指标）"
NOT_APPLICABLE_DISTRICTS = "原文表2未规定指标不适用时如何处理：被评估单位申报指标不适用时，该指标不计分，其权重按比例分配给同组其他适用指标（本组没有其他适用指标时，分配给其余全部适用指标）"
NOT_APPLICABLE_XIAMEN = "原文未规定被评估单位申报指标不适用时如何处理：该指标不计分，其分值按比例分配给同组其他适用指标（本组没有其他适用指标时，分配给其余全部适用指标）"
SCHEME_STAND_IN = (
    "原文未给出总分等次和各等次的分数区间：指标等次按默认分数区间计分（优90–100、良80–90、"
    "中60–80、差0–60），总分等次按同样的区间划分"
)


def reported(source: str, full: str = "100") -> str:
    """The stand-in text of an indicator scored by its data source's own assessment."""
    return f"原文未给出评分规则：得分取数据采集单位（{source}）评定的分数（0至{full}）"


def stand_in_scale(what: str) -> str:
    """The stand-in text of a published measure graded by a scale of ours."""
    return f"原文未给出评估标准：{what}，分档为示例"


# --- definitions (指标释义), as the seed gives them ---------------------------

SZ_DEPARTMENT_DEFINITIONS: dict[str, str] = {
    "1": "指各单位完成年初制定并向社会公布的公共服务白皮书工作任务计划的情况。公共服务白皮书报分管副市长审定后公布。",
    "2": "指政府部门依据市政府投资项目(A类)建设进度目标,完成任务的情况。市政府投资项目(A类)包括续建项目、初步设计概算已经审核的新开工项目、项目建议书或可行性研究报告批复文件中明确可以组织实施的新开工项目。",
    "3": "指政府部门完成法定职责和年度公共服务白皮书工作以外的,由市委、市政府临时交办且明确纳入市政府绩效管理的其他重大专项工作的情况。",
    "4": "指对全国、本省、本市、本行业发展有重大意义和影响的改革措施或工作创新。重大改革由年度改革任务完成情况和受表彰情况两项指标进行综合评定;工作创新由产生的工作效果和受认定、被推广情况两项指标进行综合评定。",
    "5": "指政府部门实施行政许可及非行政许可的审批和登记情况。根据市行政审批电子监察系统每月对政府部门实施行政许可及非行政许可事项审批和登记情况的绩效测评名次评分。",
    "6": "指行政审批网上实现情况,由网上申请行政审批实现率、网上查询行政审批实现率、在线处理行政许可实现率三个指标构成。(1)网上申请行政审批实现率:指政府部门的可网上申请的行政审批项目数与行政审批项目总数之比。(2)网上查询行政审批实现率:指政府部门的可网上查询行政审批结果的项目数与行政审批项目总数之比。(3)在线处理行政许可实现率:指政府部门的实现在线处理的行政许可项目数与行政许可项目总数之比。",
    "7": "指法定期限内实际结案件数与法定期限内应结案件数之比。",
    "8": "指法定期限内被追究行政过错的案件数与法定期限内行政执法立案数之比。",
    "9": "指政府部门在网上向社会公开其按照规定应公开的信息情况。",
    "10": "指对政府部门电子政务网络和系统信息安全总体情况的综合评价。",
    "11": "指政府部门按时办理人大建议的情况,以及人大代表对处理结果的满意情况。",
    "12": "指政府部门办理市政府督查督办事项的情况。",
    "13": "指政府部门按时办理政协提案的情况,以及政协委员对处理结果的满意情况。",
    "14": "指政府部门按时处理公民、法人或者其他组织的信访、投诉事项的情况。",
    "15": "指由市法治政府建设领导小组组织的,在评估周期内,根据法治政府建设指标考评内容和标准对各考评对象法治政府建设工作情况进行的量化评价。",
    "16": "指政府部门对本行业、本部门、本单位的安全生产监管工作履行情况。",
    "17": "指在市政府纠风办的组织指导下,由社会各界代表组成评议组,对市直各有关部门或服务行业加强政风行风建设、预防和纠治损害群众利益不正之风的工作进行民主评议的情况。",
    "18": "指反映行政机关及所属事业单位工作人员发生违法违纪行为、受到党纪政纪处分和司法机关立案调查的情况。属被评估单位自行立案查处的不扣分。",
    "19": "指根据《深圳市党政领导干部问责暂行规定》,因发生公共安全责任事故对单位党政领导干部进行问责的情况。公共安全事故包括事故灾难、公共卫生事件、社会安全事件、自然灾害和其他危及公共安全的事故、事件、案件。",
    "20": "指根据《深圳市党政领导干部问责暂行规定》,因其他情形对单位党政领导干部进行问责的情况。其他问责情形包括违反干部选拔任用有关规定,导致用人失察、失误;公共安全管理和干部选拔任用之外的决策失误、滥用职权、管理和监督不力等失职行为;违反党风廉政建设责任制的情形;其他给国家利益、人民生命财产、公共财产造成损失或者不良影响等失职行为。",
    "21": "指部门人均公用经费支出数与同期本级所有部门人均公用经费支出数之比。此指标计算部门人均公用经费支出时不包括水电费、物业管理费。",
    "22": "指用于考核预算单位(部门)对于年度下达的项目预算所涉及的工作完成后,其实际支出情况与项目预算数之比。",
    "23": "指审计机关对政府部门财政、财务收支的审计结果。",
}

SZ_DISTRICT_DEFINITIONS: dict[str, str] = {
    "1": "指各区政府、新区管委会完成年初制定并向社会公布的公共服务白皮书工作任务计划的情况。",
    "2": "指各区政府、新区管委会依据市政府投资项目(A类)建设进度目标,完成任务的情况。市政府投资项目(A类)包括续建项目、初步设计概算已经审核的新开工项目、项目建议书或可行性研究报告批复文件中明确可以组织实施的新开工项目。",
    "3": "指各区政府、新区管委会完成法定职责和年度公共服务白皮书工作以外的,由市委、市政府临时交办且明确纳入市政府绩效管理的其他重大专项工作的情况。",
    "4": "指对全国、本省、本市、本行业发展有重大意义和影响的改革措施或工作创新。重大改革由年度改革任务完成情况和受表彰情况两项指标进行综合评定;工作创新由产生的工作效果和受认定、被推广情况两项指标进行综合评定。",
    "5": "指各区财政安排教科文卫体资金人均(各辖区内常住人口)实际支出数与全市各区(不含市本级)财政安排教科文卫体资金人均(全市常住人口)实际支出数之比。",
    "6": "指各区财政安排社会保障和就业资金人均(各辖区内常住人口)实际支出数与全市各区(不含市本级)财政安排社会保障和就业资金人均(全市常住人口)实际支出数之比。",
    "7": "指各区政府、新区管委会在网上向社会公开其按照规定应公开的信息情况。",
    "8": "指各区政府、新区管委会办理市政府督查督办事项的情况。",
    "9": "指反映行政机关、事业单位工作人员发生违法违纪行为、受到党纪政纪和司法机关立案调查的情况。属被评估单位自行立案查处的不扣分。",
    "10": "指根据《深圳市党政领导干部问责暂行规定》,因发生公共安全责任事故对单位党政领导干部进行问责的情况。公共安全事故包括事故灾难、公共卫生事件、社会安全事件、自然灾害和其他危及公共安全的事故、事件、案件。",
    "11": "指根据《深圳市党政领导干部问责暂行规定》,因其他情形对单位党政领导干部进行问责的情况。其他问责情形包括违反干部选拔任用有关规定,导致用人失察、失误;公共安全管理和干部选拔任用之外的决策失误、滥用职权、管理和监督不力等失职行为;违反党风廉政建设责任制的情形;其他给国家利益、人民生命财产、公共财产造成损失或者不良影响等失职行为。",
    "12": "指各区刑事警情报警数与辖区总人口之比。",
    "13": "指市政府对各区政府和新区管委会下达的年度事故控制指标,包括生产安全、道路交通、消防三类。",
    "14": "指各区财政性环保投入人均支出水平与各区财政性环保投入每平方公里支出水平两者比例各取一半。",
    "15": "指经过污水处理厂集中处理的污水量与工业废水和生活污水排放总量的百分比。",
    "16": "指河流综合污染指数与参与评价污染物项数之比。这是评价河流污染程度的指标,数值越大,污染越严重。其计算公式如下:公式中:P-断面河流平均综合污染指数;Pj-断面河流综合污染指数;n-参与评价污染物项数。",
    "17": "指各区政府、新区管委会在“环卫工作管理”、“市容环境提升行动”、“城市管理日常事部件处理执行”等3方面工作的情况。",
    "18": "指各区政府、新区管委会根据属地管理原则对水行政违法事件的处理情况。水行政违法事件指涉及损坏水务工程设施(城市供水排水系统、防洪排涝系统、污水处理及生态保护系统等)、破坏地表植被造成水土流失、污染水源等影响到社会管理和公共安全的行为。",
    "19": "政府储备土地移交是指各区政府、新区管委会将城市化转为国有适当补偿范围内未清理的可建设用地(储备土地)进行清理并移交市土地储备机构入库。政府储备土地移交率为考核时已完成的移交面积占应移交而未移交的总面积的比率。",
    "20": "指各区政府、新区管委会完成《深圳市分区域人口调控指导性计划(2009-2020年)》中实际管理和服务人口年度调控任务情况。",
    "21": "指报告期内流动人口政策外出生人数与同期流动人口出生总数之比。",
    "22": "指由市法治政府建设领导小组组织的,在评估周期内,根据法治政府建设指标考评内容和标准对各考评对象法治政府建设工作情况进行的量化评价。",
    "23": "指各区政府、新区管委会按时处理公民、法人或者其他组织的信访、投诉事项的情况。",
    "24": "指报告期每平方公里GDP产出相对于基期每平方公里GDP产出的增长率。",
    "25": "反映由技术水平、发展阶段、经济结构、能源结构等多方因素形成的能源消耗水平和经济产出比例关系。",
    "26": "反映由技术水平、发展阶段、经济结构等多方因素形成的水资源消耗水平和经济产出比例关系。",
    "27": "指城市地区各工业企业当年综合利用的工业固体废物量(包括综合利用往年量)之和占当年各工业企业产生的工业固体废物量之和的百分比。",
    "28": "指在工业生产中,用水设备已回收利用的生产用水占生产总用水量(已回收利用+补充的水量)的百分比。",
    "29": "指新增违法建筑纠正面积与新增违法建筑总面积之比。",
    "30": "指以特定行业(需取得许可证件经营的行业)无证经营率和一般行业(无需取得许可证件经营的行业)无照经营率为主要指标,对各区政府、新区管委会开展“清无”工作情况和实际效果进行综合评估。",
    "31": "指各区食品安全事故发生的宗数,主要是指该区在报告期内发生食物中毒的宗数。",
    "32": "指报告期内对药品进行安全抽样检查合格率,用药品计划监督抽验合格率作为考核数值。",
}


def with_definitions(groups: list[Group], definitions: dict[str, str]) -> list[Group]:
    """Give every indicator in the tree its published definition."""
    import attrs

    def walk(node: Group | Indicator) -> Group | Indicator:
        if isinstance(node, Indicator):
            return attrs.evolve(node, definition=definitions[node.code])
        return attrs.evolve(node, children=tuple(walk(c) for c in node.children))

    return [walk(g) for g in groups]  # type: ignore[misc]


# --- the seed's grading rules, verbatim -------------------------------------
SZ1 = "优:白皮书任务按时完成率=100%;良:90%≤白皮书任务按时完成率<100%;中:80%≤白皮书任务按时完成率<90%;差:白皮书任务按时完成率<80%。"
SZ2 = "优:投资完成率=100%;良:90%≤投资完成率<100%;中:80%≤投资完成率<90%;差:投资完成率<80%。"
SZ3 = "优:目标任务完成率=100%;良:90%≤目标任务完成率<100%;中:80%≤目标任务完成率<90%;差:目标任务完成率<80%。"
SZ4 = "优:总得分≥6;良:4≤总得分<6;中:2≤总得分<4;差:总得分<2。"
SZ4_POINTS = "优—6分;良—4分;合格—2分;不合格—0分"
SZ5 = "优:得分≥103;良:100≤得分<103;中:95≤得分<100;差:得分<95。"
SZ6_APPLY = "优:实现率≥90%;良:80%≤实现率<90%;中:60%≤实现率<80%;差:实现率<60%。"
SZ6_QUERY = "优:实现率=100%;良:90%≤实现率<100%;中:70%≤实现率<90%;差:实现率<70%。"
SZ7 = "优:结案率≥99%;良:98%≤结案率<99%;中:97%≤结案率<98%;差:结案率<97%。"
SZ8 = "优:错案率=0;良:0<错案率≤1%;中:1%<错案率≤3%;差:错案率>3%。"
SZ9 = "优:90≤得分≤100;良:85≤得分<90;中:75≤得分<85;差:得分<75。"
SZ10 = "优:75≤信息安全评价≤100;良:50≤信息安全评价<75;中:25≤信息安全评价<50;差:信息安全评价<25。"
SZ12 = (
    "优:督办事项规定时限内答复率=100%,或督办事项规定时限内完成率≥90%;"
    "良:90%≤督办事项规定时限内答复率<100%,或85%≤督办事项规定时限内完成率<90%,或没有被督查催办事项;"
    "中:85%≤督办事项规定时限内答复率<90%,或80%≤督办事项规定时限内完成率<85%,或1宗≤被督查催办事项≤3宗\n"  # the seed has no ';' here, only a line break
    "差:督办事项规定时限内答复率<85%,或督办事项规定时限内完成率<80%,或被督查催办事项>3宗。"
)


# Rules 7 and 8 say 默认为"优" without saying which score within 优 (rules 2, 3
# and 12 say 区中值 for their 良 defaults; 7 and 8 do not). 95, the middle of
# 优's default interval 90–100, neither rewards nor penalises having no cases
# compared with a unit somewhere inside 优.
NO_CASES_SCORE = 95
NO_CASES_NOTE = (
    "原文只说默认为“优”，未说明取优档内哪一分数；此处取优档90–100的中间值95，既不奖励也不惩罚当期没有案件"
)


# Rule 2's 没有政府投资项目(A类)的 and rule 8's 没有行政过错案件的, read as the seed words them.
NO_PROJECTS_NOTE = "原文“没有政府投资项目(A类)的”：数据中没有投资计划下达额（空或为0）即为没有政府投资项目(A类)；有投资计划而缺少当期财政实际拨款额是数据缺失，不按默认计分"
NO_ERRORS_NOTE = "原文“当期没有行政过错案件的”：以结果发生改变的案件数为0判断（不是没有案件）；原文只说默认为“优”，未说明取优档内哪一分数；此处取优档90–100的中间值95"


def three_assessments(a: str, b: str, c: str) -> GradeScale:
    """R11: 优 all 良好; 良 all ≥合格 with two 良好; 中 fewer than two 良好; 差 any 不合格."""
    good = f"count({a}=良好, {b}=良好, {c}=良好)"
    floor = f"min({a}, {b}, {c})"
    return GradeScale(
        bands=[
            GradeBand(name="优", conditions=[f"{good}=3"]),
            GradeBand(name="良", conditions=[f"{floor}>=合格 and {good}=2"]),
            GradeBand(name="中", conditions=[f"{floor}>=合格 and {good}<2"]),
            GradeBand(name="差", conditions=[f"{floor}<合格"]),
        ],
        levels=["良好", "合格", "不合格"],
    )


def _w(wei: int, ju: int, ban: int) -> dict[str, int]:
    return {"委": wei, "局": ju, "办": ban}


def _score_only(
    code: str, name: str, field: str, weights: dict[str, int], source: str, frequency: str
) -> Indicator:
    """A stand-in indicator scored by its data source's own 0–100 assessment."""
    return Indicator(
        code=code,
        name=name,
        score=f"「{field}」",
        weights=weights,
        source=source,
        frequency=frequency,
        stand_in=reported(source),
    )


def shenzhen_departments() -> Scheme:
    """深圳市2010年度政府绩效评估指标体系, table 1: city government departments."""
    to_whitepaper = "1"
    i1 = Indicator(
        code="1",
        name="公共服务白皮书",
        definition="指各单位完成年初制定并向社会公布的公共服务白皮书工作任务计划的情况。",
        source="被评估单位",
        frequency="季度",
        steps=["白皮书任务按时完成率=(白皮书任务完成数/白皮书任务总数)×100%"],
        scale=GradeScale.parse(SZ1, domain=RATE),
        weights=_w(30, 30, 35),
    )
    i2 = Indicator(
        code="2",
        name="政府投资项目(A类)完成率",
        source="市发展改革委",
        frequency="季度",
        steps=["投资完成率=(当期财政实际拨款额/投资计划下达额)×100%"],
        scale=GradeScale.parse(SZ2, domain=RATE),
        weights=_w(4, 4, 0),
        policies=[
            Default(
                grade="良",
                missing=["投资计划下达额"],
                reason="没有政府投资项目(A类)的,默认为“良”区中值",
                note=NO_PROJECTS_NOTE,
            )
        ],
    )
    i3 = Indicator(
        code="3",
        name="临时性专项工作",
        source="牵头单位",
        frequency="季度",
        steps=["目标任务完成率=(目标任务实际完成数/目标任务总数)×100%"],
        scale=GradeScale.parse(SZ3, domain=RATE),
        weights=_w(5, 5, 4),
        policies=[
            Default(grade="良", when="目标任务总数=0", reason="没有临时性专项工作任务的,默认为“良”区中值")
        ],
    )
    i4 = Indicator(
        code="4",
        name="重大改革及工作创新",
        source="市委政研室(改革办)",
        frequency="半年",
        steps=[
            Part(
                target="年度改革任务完成情况得分",
                scale=GradeScale.parse(SZ4_POINTS),
                of="年度改革任务完成情况",
            ),
            Part(target="工作创新效果得分", scale=GradeScale.parse(SZ4_POINTS), of="工作创新效果"),
            "受表彰情况得分=中央级表彰数×3+省级表彰数×2+市级表彰数×1",
            "认定或推广得分=中央级推广数×3+省级推广数×2+市级推广数×1",
            "重大改革得分=年度改革任务完成情况得分×0.6+受表彰情况得分×0.4",
            "工作创新得分=工作创新效果得分×0.4+认定或推广得分×0.6",
            "总得分=重大改革得分×0.6+工作创新得分×0.4",
        ],
        scale=GradeScale.parse(SZ4, scoring="midpoint"),
        weights=_w(6, 6, 6),
    )
    no_approvals = NotApplicable(
        when="行政审批事项数=0",
        to=to_whitepaper,
        reason="无行政审批事项的部门(委、局),相应分数权重调整至公共服务白皮书",
    )
    i5 = Indicator(
        code="5",
        name="行政审批绩效",
        source="市监察局",
        frequency="月度",
        inputs={"得分": "行政审批绩效得分"},
        scale=GradeScale.parse(SZ5, scoring="midpoint"),
        weights=_w(4, 4, 0),
        policies=[no_approvals],
    )
    i6 = Indicator(
        code="6",
        name="行政审批网上实现率",
        source="市科工贸信委",
        frequency="月度",
        steps=[
            Part(
                target="网上申请得分",
                scale=GradeScale.parse(SZ6_APPLY, domain=RATE),
                of="网上申请行政审批实现率",
            ),
            Part(
                target="网上查询得分",
                scale=GradeScale.parse(SZ6_QUERY, domain=RATE),
                of="网上查询行政审批实现率",
            ),
            Part(
                target="在线处理得分",
                scale=GradeScale.parse(SZ6_APPLY, domain=RATE),
                of="在线处理行政许可实现率",
            ),
        ],
        score="(网上申请得分+网上查询得分+在线处理得分)/3",
        weights=_w(3, 3, 0),
        policies=[no_approvals],
    )
    no_enforcement = NotApplicable(
        to=to_whitepaper, reason="无行政执法职能的部门(委、局),相应分数权重调整至公共服务白皮书"
    )
    i7 = Indicator(
        code="7",
        name="行政执法结案率",
        source="市监察局、市法制办",
        frequency="月度",
        steps=["结案率=〔1-未在法定期限内作相关处理的案件数/法定期限内应当处理的案件数〕×100%"],
        scale=GradeScale.parse(SZ7, domain=RATE),
        weights=_w(2, 2, 0),
        policies=[
            Default(
                grade="优",
                score=NO_CASES_SCORE,
                when="法定期限内应当处理的案件数=0",
                reason="当期没有行政处罚案件的,默认为“优”",
                note=NO_CASES_NOTE,
            ),
            no_enforcement,
        ],
    )
    i8 = Indicator(
        code="8",
        name="行政执法错案率",
        source="市监察局、市法制办",
        frequency="月度",
        steps=["错案率=〔结果发生改变的案件数/法定期限内实际立案数〕×100%"],
        scale=GradeScale.parse(SZ8, domain=RATE),
        weights=_w(2, 2, 0),
        policies=[
            Default(
                grade="优",
                score=NO_CASES_SCORE,
                when="结果发生改变的案件数=0",
                reason="当期没有行政过错案件的,默认为“优”",
                note=NO_ERRORS_NOTE,
            ),
            no_enforcement,
        ],
    )
    parts9 = ["完整性", "及时性", "准确性", "互动性", "便利性", "公众满意度"]
    i9 = Indicator(
        code="9",
        name="政府信息网上公开",
        source="市监察局",
        frequency="月度",
        inputs={"得分": "信息公开得分"},
        steps=[
            *(f"{p}计分={p}得分" for p in parts9),
            "信息公开得分=完整性计分×10%+及时性计分×20%+准确性计分×15%+互动性计分×30%+便利性计分×15%+公众满意度计分×10%",
        ],
        value="信息公开得分",
        scale=GradeScale.parse(SZ9, domain=(0, 100)),
        weights=_w(3, 3, 4),
        policies=[
            *(
                ZeroWhen(
                    when=f"{p}异常信息条数>5",
                    target=f"{p}计分",
                    reason="各部分异常信息超过5条的,该部分当月得分为0",
                    per_period=True,
                )
                for p in parts9
            ),
            ZeroWhen(
                when="互动性核实投诉数>0",
                target="互动性计分",
                reason="因未及时回复公开申请引起投诉、经核查属实的,该月该部门的互动性得分为0",
                per_period=True,
            ),
        ],
    )
    i10 = Indicator(
        code="10",
        name="信息安全评价",
        source="市科工贸信委",
        frequency="月度",
        steps=[
            "信息安全评价=clamp(信息安全风险评估项评分×60%+信息安全等级保护项评分×40%-信息安全事件项评分, 0, 100)"
        ],
        scale=GradeScale.parse(SZ10, domain=(0, 100)),
        weights=_w(2, 2, 4),
    )
    i11 = Indicator(
        code="11",
        name="人大建议办理",
        source="市人大办公厅",
        frequency="半年",
        scale=three_assessments("按时签收评定", "按时办理答复评定", "代表满意度评定"),
        weights=_w(2, 2, 4),
    )
    i12 = Indicator(
        code="12",
        name="政府督查事项",
        source="市政府督查室",
        frequency="季度",
        scale=GradeScale.parse(SZ12, policy="lowest"),
        weights=_w(3, 3, 5),
        policies=[Default(grade="良", when="督办事项数=0", reason="当期没有督办事项的,默认为“良“区中值")],
    )
    i13 = Indicator(
        code="13",
        name="政协提案办理",
        source="市政协办公厅",
        frequency="半年",
        scale=three_assessments("网上签收评定", "提案答复时间评定", "委员满意度评定"),
        weights=_w(2, 2, 4),
        stand_in=(
            "原文评估标准在“良:三项”处中断：三项评定（网上签收工作时间、提案答复时间、委员满意度）"
            "和“优:三项全部评定为良好”为原文，其余等次沿用第11项人大建议办理的规则"
        ),
    )
    i14 = Indicator(
        code="14",
        name="信访投诉处理",
        source="市信访办",
        frequency="季度",
        steps=["信访按时处理率=按时处理信访件数/应处理信访件数"],
        scale=GradeScale.parse(
            "优:信访按时处理率≥95%;良:90%≤信访按时处理率<95%;中:80%≤信访按时处理率<90%;差:信访按时处理率<80%",
            domain=RATE,
        ),
        weights=_w(2, 2, 4),
        stand_in=stand_in_scale(
            "按时处理率=按时处理信访件数/应处理信访件数，优≥95%、良90%–95%、中80%–90%、差<80%"
        ),
    )
    i15 = _score_only("15", "法治政府建设", "法治政府考评得分", _w(6, 6, 6), "市法制办", "年度")
    i16 = _score_only("16", "履行安全生产管理职责", "安全生产考核得分", _w(2, 2, 2), "市应急办", "季度")
    i17 = _score_only("17", "民主评议政风行风", "民主评议得分", _w(3, 3, 3), "市政府纠风办", "季度")
    i18 = _score_only("18", "廉政状况", "廉政状况得分", _w(5, 5, 5), "市纪委、市监察局", "季度")
    i19 = _score_only(
        "19", "公共安全责任事故问责", "公共安全责任事故问责得分", _w(2, 2, 2), "市纪委、市监察局", "季度"
    )
    i20 = _score_only("20", "其他问责", "其他问责得分", _w(2, 2, 2), "市纪委、市监察局", "季度")
    i21 = Indicator(
        code="21",
        name="部门人均公用经费支出水平",
        source="市财政委",
        frequency="半年",
        steps=[PeerRatio(target="人均公用经费支出水平", numerator="公用经费支出", denominator="在编人数")],
        scale=GradeScale.parse(
            "优:人均公用经费支出水平≤90%;良:90%<人均公用经费支出水平≤100%;中:100%<人均公用经费支出水平≤110%;差:人均公用经费支出水平>110%",
            scoring="midpoint",
        ),
        weights=_w(4, 4, 4),
        stand_in=stand_in_scale(
            "人均公用经费支出水平=本部门人均公用经费支出÷全部被评估部门合计的人均公用经费支出，"
            "优≤90%、良90%–100%、中100%–110%、差>110%"
        ),
    )
    i22 = Indicator(
        code="22",
        name="部门已完成项目经费支出比例",
        source="市财政委",
        frequency="半年",
        steps=["项目支出比例=项目实际支出/项目预算数"],
        scale=GradeScale.parse(
            "优:95%≤项目支出比例≤100%;良:90%≤项目支出比例<95%;中:80%≤项目支出比例<90%,或100%<项目支出比例≤105%;差:项目支出比例<80%,或项目支出比例>105%",
            domain=(0, 2),
        ),
        weights=_w(4, 4, 4),
        stand_in=stand_in_scale(
            "项目支出比例=项目实际支出/项目预算数，优95%–100%、良90%–95%、中80%–90%或100%–105%、差<80%或>105%"
        ),
    )
    i23 = Indicator(
        code="23",
        name="财政、财务收支的真实合法与效益",
        source="市审计局",
        frequency="年度",
        value="审计结论",
        scale=GradeScale.parse("好—95分;较好—85分;一般—70分;差—40分"),
        weights=_w(2, 2, 2),
        stand_in="原文未给出评估标准：按审计结论（好、较好、一般、差）分别计95、85、70、40分，分值为示例",
    )
    groups = [
        Group(
            name="行政业绩",
            declared=45,
            children=[Group(name="重点工作", children=[i1, i2, i3]), Group(name="改革创新", children=[i4])],
        ),
        Group(
            name="行政效率",
            declared=25,
            children=[
                Group(name="行政审批", children=[i5, i6]),
                Group(name="行政执法", children=[i7, i8]),
                Group(name="电子政务", children=[i9, i10]),
                Group(name="督查督办", children=[i11, i12, i13, i14]),
            ],
        ),
        Group(
            name="行政执行力",
            declared=20,
            children=[
                Group(name="依法行政", children=[i15]),
                Group(name="安全生产", children=[i16]),
                Group(name="廉洁与作风", children=[i17, i18]),
                Group(name="党政领导干部问责", children=[i19, i20]),
            ],
        ),
        Group(
            name="行政成本",
            declared=10,
            children=[Group(name="部门支出", children=[i21, i22]), Group(name="财务审计", children=[i23])],
        ),
    ]
    return Scheme(
        name="深圳市2010年度市政府工作部门绩效评估指标体系",
        year="2010",
        source="深圳市2010年度政府绩效评估指标体系，表1",
        groups=with_definitions(groups, SZ_DEPARTMENT_DEFINITIONS),
        categories=["委", "局", "办"],
        stand_in=SCHEME_STAND_IN,
        stand_ins={"periods": PERIODS_STAND_IN, "not_applicable": NOT_APPLICABLE_DEPARTMENTS},
        rank_within="category",
    )


# --- sample data -------------------------------------------------------------

BASELINE: dict[str, object] = {
    # 1: 19/20 = 95% → 良, halfway through [90%, 100%) → 85
    "白皮书任务完成数": 19,
    "白皮书任务总数": 20,
    # 2: 95/100 → 良 85
    "当期财政实际拨款额": 95,
    "投资计划下达额": 100,
    # 3: 19/20 → 良 85
    "目标任务实际完成数": 19,
    "目标任务总数": 20,
    # 4: reform 良 (4) and one 省级 award (2): 4×0.6+2×0.4 = 3.2; innovation 合格 (2) and one
    #    市级 promotion (1): 2×0.4+1×0.6 = 1.4; total 3.2×0.6+1.4×0.4 = 2.48 → 中, midpoint 70
    "年度改革任务完成情况": "良",
    "中央级表彰数": 0,
    "省级表彰数": 1,
    "市级表彰数": 0,
    "工作创新效果": "合格",
    "中央级推广数": 0,
    "省级推广数": 0,
    "市级推广数": 1,
    # 5: 101.5 → 良, midpoint 85
    "行政审批事项数": 12,
    "行政审批绩效得分": 101.5,
    # 6: 85% → 良 85 (halfway through [80%, 90%)); 95% → 良 85; 85% → 良 85; mean 85
    "网上申请行政审批实现率": 0.85,
    "网上查询行政审批实现率": 0.95,
    "在线处理行政许可实现率": 0.85,
    # 7: 1 − 1/80 = 98.75% → 良 [98%, 99%), 3/4 of the way → 87.5
    "未在法定期限内作相关处理的案件数": 1,
    "法定期限内应当处理的案件数": 80,
    # 8: 1/200 = 0.5% → 良 (0, 1%], lower is better, halfway → 85
    "结果发生改变的案件数": 1,
    "法定期限内实际立案数": 200,
    # 9: all six parts 90 → 90 → 优 [90, 100] at its bottom → 90
    **{f"{p}得分": 90 for p in ["完整性", "及时性", "准确性", "互动性", "便利性", "公众满意度"]},
    **{f"{p}异常信息条数": 0 for p in ["完整性", "及时性", "准确性", "互动性", "便利性", "公众满意度"]},
    "互动性核实投诉数": 0,
    # 10: 75×60% + 75×40% − 0 = 75 → 优 [75, 100] at its bottom → 90
    "信息安全风险评估项评分": 75,
    "信息安全等级保护项评分": 75,
    "信息安全事件项评分": 0,
    # 11: 良好, 良好, 合格 → 良 85; 13: 良好 ×3 → 优 95
    "按时签收评定": "良好",
    "按时办理答复评定": "良好",
    "代表满意度评定": "合格",
    "网上签收评定": "良好",
    "提案答复时间评定": "良好",
    "委员满意度评定": "良好",
    # 12: reply 95% (良), completion 87% (良), no chasing (良) → 良 85
    "督办事项数": 10,
    "督办事项规定时限内答复率": 0.95,
    "督办事项规定时限内完成率": 0.87,
    "被督查催办事项": 0,
    # 14: 19/20 = 95% → 优 [95%, 100%] at its bottom → 90
    "按时处理信访件数": 19,
    "应处理信访件数": 20,
    # 15–20: the scores their data sources report (stand-ins), used as they are
    "法治政府考评得分": 88,
    "安全生产考核得分": 90,
    "民主评议得分": 85,
    "廉政状况得分": 100,
    "公共安全责任事故问责得分": 100,
    "其他问责得分": 100,
    # 21: 100 per 10 staff; with the others (see UNITS) → 良, midpoint 85
    "公用经费支出": 100,
    "在编人数": 10,
    # 22: 97% → 优, the middle band of a two-sided scale → its top, 100
    "项目实际支出": 97,
    "项目预算数": 100,
    # 23: 较好 → 85 points
    "审计结论": "较好",
}


# --- Shenzhen 2010, districts (table 2) ---------------------------------------

PEER_LEVEL = "优:{v}≥110%;良:100%≤{v}<110%;中:90%≤{v}<100%;差:{v}<90%"  # stand-in: spending level vs the city
RATE_STAND_IN = "优:{v}≥95%;良:90%≤{v}<95%;中:80%≤{v}<90%;差:{v}<80%"
PEER_LEVEL_TEXT = "优≥110%、良100%–110%、中90%–100%、差<90%"
BY_RANK_TEXT = "得分=100-(名次-1)×5"


def _district_score_only(code: str, name: str, weight: int, source: str, frequency: str) -> Indicator:
    return Indicator(
        code=code,
        name=name,
        score=f"「{name}得分」",
        weight=weight,
        source=source,
        frequency=frequency,
        stand_in=reported(source),
    )


def shenzhen_districts() -> Scheme:
    """深圳市2010年度政府绩效评估指标体系, table 2: districts and new-area committees.

    The seed gives weights and definitions but no grading rules for table 2, so
    every rule here is a stand-in: 1–4 and 8 borrow table 1's rules for the
    same indicators; the others grade a measure from the definition on a scale
    of ours, or take the score the data source reports.
    """
    d = shenzhen_departments()
    i1, i2, i3, i4 = (
        attrs_evolve(
            d.indicator(c),
            weights={},
            weight=w,
            stand_in=f"原文表2未给出评估标准：沿用表1第{c}项（{d.indicator(c).name}）的评估标准"
            + ("及其默认规则" if c in ("2", "3") else ""),
        )
        for c, w in (("1", 20), ("2", 3), ("3", 2), ("4", 5))
    )
    peer = GradeScale.parse(PEER_LEVEL.format(v="教科文卫体人均支出水平"), scoring="midpoint")
    i5 = Indicator(
        code="5",
        name="财政性教科文卫体人均支出水平",
        source="市财政委",
        frequency="季度",
        steps=[
            PeerRatio(target="教科文卫体人均支出水平", numerator="教科文卫体支出", denominator="常住人口")
        ],
        scale=peer,
        weight=2,
        stand_in=stand_in_scale(
            f"教科文卫体人均支出水平=本区人均支出÷全部被评估区合计的人均支出（常住人口），{PEER_LEVEL_TEXT}"
        ),
    )
    i6 = Indicator(
        code="6",
        name="社会保障和就业人均支出水平",
        source="市财政委",
        frequency="季度",
        steps=[
            PeerRatio(
                target="社会保障和就业人均支出水平", numerator="社会保障和就业支出", denominator="常住人口"
            )
        ],
        scale=GradeScale.parse(PEER_LEVEL.format(v="社会保障和就业人均支出水平"), scoring="midpoint"),
        weight=2,
        stand_in=stand_in_scale(
            f"社会保障和就业人均支出水平=本区人均支出÷全部被评估区合计的人均支出（常住人口），{PEER_LEVEL_TEXT}"
        ),
    )
    i7 = _district_score_only("7", "政府信息网上公开", 2, "市监察局", "月度")
    i8 = Indicator(
        code="8",
        name="政府督查事项",
        source="市政府督查室",
        frequency="季度",
        scale=GradeScale.parse(SZ12, policy="lowest"),
        weight=3,
        policies=[Default(grade="良", when="督办事项数=0", reason="当期没有督办事项的,默认为“良“区中值")],
        stand_in="原文表2未给出评估标准：沿用表1第12项（政府督查事项）的评估标准及其默认规则",
    )
    i9 = _district_score_only("9", "廉政状况", 5, "市纪委、市监察局", "季度")
    i10 = _district_score_only("10", "公共安全责任事故问责", 4, "市纪委、市监察局", "季度")
    i11 = _district_score_only("11", "其他问责", 2, "市纪委、市监察局", "季度")
    i12 = Indicator(
        code="12",
        name="刑事警情报警发生率",
        source="市公安局",
        frequency="月度",
        steps=[
            "刑事警情报警发生率=刑事警情报警数/辖区总人口",
            Rank(target="警情名次", of="刑事警情报警发生率", order="asc"),
        ],
        score="100-(警情名次-1)×5",
        weight=2,
        stand_in=stand_in_scale(
            f"刑事警情报警发生率=刑事警情报警数/辖区总人口，各区按发生率由低到高排名，{BY_RANK_TEXT}"
        ),
    )
    i13 = Indicator(
        code="13",
        name="各类安全生产事故死亡人数指标控制",
        source="市应急办",
        frequency="季度",
        steps=["死亡人数控制率=死亡人数/死亡人数控制指标"],
        scale=GradeScale.parse(
            "优:死亡人数控制率≤80%;良:80%<死亡人数控制率≤90%;中:90%<死亡人数控制率≤100%;差:死亡人数控制率>100%",
            scoring="midpoint",
        ),
        weight=4,
        stand_in=stand_in_scale(
            "死亡人数控制率=死亡人数/死亡人数控制指标，优≤80%、良80%–90%、中90%–100%、差>100%"
        ),
    )
    i14 = Indicator(
        code="14",
        name="财政性环保投入支出水平",
        source="市财政委",
        frequency="季度",
        steps=[
            PeerRatio(target="人均环保投入水平", numerator="环保投入", denominator="常住人口"),
            PeerRatio(target="地均环保投入水平", numerator="环保投入", denominator="辖区面积"),
            "环保投入支出水平=(人均环保投入水平+地均环保投入水平)/2",
        ],
        scale=GradeScale.parse(PEER_LEVEL.format(v="环保投入支出水平"), scoring="midpoint"),
        weight=2,
        stand_in=stand_in_scale(
            "环保投入支出水平=(人均水平+每平方公里水平)/2，两者均为本区÷全部被评估区合计，" + PEER_LEVEL_TEXT
        ),
    )
    i15 = Indicator(
        code="15",
        name="城市污水集中处理率",
        source="市水务局",
        frequency="季度",
        scale=GradeScale.parse(RATE_STAND_IN.format(v="城市污水集中处理率"), scoring="midpoint", domain=RATE),
        weight=2,
        stand_in=stand_in_scale("城市污水集中处理率，优≥95%、良90%–95%、中80%–90%、差<80%"),
    )
    i16 = Indicator(
        code="16",
        name="河流平均综合污染指数",
        source="市人居环境委",
        frequency="季度",
        steps=["河流平均综合污染指数=河流综合污染指数/参与评价污染物项数"],
        scale=GradeScale.parse(
            "优:河流平均综合污染指数≤0.4;良:0.4<河流平均综合污染指数≤0.7;中:0.7<河流平均综合污染指数≤1;差:河流平均综合污染指数>1",
            scoring="midpoint",
        ),
        weight=2,
        stand_in=stand_in_scale(
            "河流平均综合污染指数=河流综合污染指数/参与评价污染物项数（越小越好），优≤0.4、良0.4–0.7、中0.7–1、差>1"
        ),
    )
    i17 = _district_score_only("17", "城市市容环境卫生状况", 2, "市城管局", "月度")
    i18 = _district_score_only("18", "水行政违法事件处理率", 2, "市水务局", "月度")
    rest = [
        ("19", "政府储备土地移交率", 2, "市规划国土委", "双月"),
        ("20", "分区域人口调控计划完成率", 2, "市发展改革委", "年度"),
        ("21", "流动人口政策外生育率", 2, "市卫生人口计生委", "季度"),
        ("22", "法治政府建设", 6, "市法制办", "年度"),
        ("23", "信访投诉处理", 2, "市信访办", "季度"),
    ]
    i19, i20, i21, i22, i23 = (_district_score_only(*r) for r in rest)
    i24 = Indicator(
        code="24",
        name="每平方公里GDP产出增长率",
        source="市统计局",
        frequency="年度",
        steps=[Rank(target="GDP名次", of="每平方公里GDP产出增长率", order="desc")],
        score="100-(GDP名次-1)×5",
        weight=2,
        stand_in=stand_in_scale(f"各区按每平方公里GDP产出增长率由高到低排名，{BY_RANK_TEXT}"),
    )
    low_carbon = [
        ("25", "万元GDP能耗下降率", 2, "市统计局", "年度"),
        ("26", "万元GDP水耗下降率", 2, "市水务局", "年度"),
        ("27", "工业固体废物综合利用率", 2, "市人居环境委", "年度"),
        ("28", "工业用水重复利用率", 2, "市人居环境委", "年度"),
        ("29", "违法建筑纠正率", 3, "市规划国土委", "月度"),
        ("30", "无证无照发生率", 3, "市市场监管局", "半年"),
    ]
    i25, i26, i27, i28, i29, i30 = (_district_score_only(*r) for r in low_carbon)
    i31 = _district_score_only("31", "食品安全事故", 2, "市卫生人口计生委", "月度")
    i32 = _district_score_only("32", "药品安全抽样合格率", 2, "市药品监管局", "季度")
    groups = [
        Group(
            name="公共服务",
            declared=50,
            children=[
                Group(name="重点工作", children=[i1, i2, i3]),
                Group(name="改革创新", children=[i4]),
                Group(name="社会事业", children=[i5, i6]),
                Group(name="服务保障", children=[i7, i8, i9, i10, i11]),
            ],
        ),
        Group(
            name="社会管理",
            declared=30,
            children=[
                Group(name="公共安全", children=[i12, i13]),
                Group(name="环境保护", children=[i14, i15, i16]),
                Group(name="城市管理", children=[i17, i18, i19, i20, i21]),
                Group(name="依法行政", children=[i22, i23]),
            ],
        ),
        Group(
            name="经济调节",
            declared=10,
            children=[
                Group(name="经济效益", children=[i24]),
                Group(name="低碳经济", children=[i25, i26, i27, i28]),
            ],
        ),
        Group(name="市场监管", declared=10, children=[Group(name="行政执法", children=[i29, i30, i31, i32])]),
    ]
    return Scheme(
        name="深圳市2010年度区政府、新区管委会绩效评估指标体系",
        year="2010",
        source="深圳市2010年度政府绩效评估指标体系，表2",
        groups=with_definitions(groups, SZ_DISTRICT_DEFINITIONS),
        stand_in=SCHEME_STAND_IN,
        stand_ins={"periods": PERIODS_STAND_IN, "not_applicable": NOT_APPLICABLE_DISTRICTS},
    )


def attrs_evolve(indicator: Indicator, **changes: object) -> Indicator:
    import attrs

    return attrs.evolve(indicator, **changes)  # type: ignore[misc]


SCORE_ONLY_DISTRICT = [
    "政府信息网上公开",
    "城市市容环境卫生状况",
    "政府储备土地移交率",
    "分区域人口调控计划完成率",
    "流动人口政策外生育率",
    "法治政府建设",
    "信访投诉处理",
    "万元GDP能耗下降率",
    "万元GDP水耗下降率",
    "工业固体废物综合利用率",
    "工业用水重复利用率",
    "违法建筑纠正率",
    "无证无照发生率",
    "药品安全抽样合格率",
]

DISTRICT_BASELINE: dict[str, object] = {
    **{
        k: BASELINE[k]
        for k in [
            "白皮书任务完成数",
            "白皮书任务总数",
            "当期财政实际拨款额",
            "投资计划下达额",
            "目标任务实际完成数",
            "目标任务总数",
            "年度改革任务完成情况",
            "中央级表彰数",
            "省级表彰数",
            "市级表彰数",
            "工作创新效果",
            "中央级推广数",
            "省级推广数",
            "市级推广数",
            "督办事项数",
            "督办事项规定时限内答复率",
            "督办事项规定时限内完成率",
            "被督查催办事项",
        ]
    },
    # 14 reported scores at 80
    **{f"{name}得分": 80 for name in SCORE_ONLY_DISTRICT},
    # 9, 10, 11, 31: reported 100 (nothing found); 18: reported 85 → 良
    "廉政状况得分": 100,
    "公共安全责任事故问责得分": 100,
    "其他问责得分": 100,
    "食品安全事故得分": 100,
    "水行政违法事件处理率得分": 85,
    # 12: the alarm rate is per 辖区总人口 (the published definition), not per 常住人口
    "辖区总人口": 20,
    # 5, 6, 14: the same per-capita and per-km² spending everywhere → 100% → 良 85
    "教科文卫体支出": 100,
    "社会保障和就业支出": 100,
    "常住人口": 10,
    "环保投入": 20,
    "辖区面积": 50,
    # 13: 8 deaths against a limit of 10 → 80% → 优 95
    "死亡人数": 8,
    "死亡人数控制指标": 10,
    # 15: 92% → 良 85; 16: 1.5/3 = 0.5 → 良 85
    "城市污水集中处理率": 0.92,
    "河流综合污染指数": 1.5,
    "参与评价污染物项数": 3,
}


# --- Xiamen Xiang'an 2020 (points) --------------------------------------------

# (code, 二级指标名称, 分值, 数据采集单位, 责任科室, 责任人), as the seed's columns give
# them. 40 and 41 have an empty 数据采集单位 cell under 39's 区纪委监委 (a merged
# cell in the original table), read as 区纪委监委.
XIAMEN_ROWS: list[tuple[str, str, int, str, str, str]] = [
    (
        "1",
        "根据厦翔委〔2020〕8号文件及区委工作要点任务分解进行评估",
        30,
        "区委办",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
    (
        "2",
        "根据厦翔政办〔2020〕1号文件中各单位具体任务分工进行评估",
        30,
        "区政府办",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
    (
        "3",
        "2020年区委常委会会议议定事项跟踪落实情况",
        30,
        "区委办",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
    (
        "4",
        "2020年区政府常务会会议议定事项跟踪落实情况",
        30,
        "区政府办",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
    ("5", "改革创新", 30, "区委办（区委改革办）", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("6", "市对区绩效指标得分情况", 30, "区效能督查办", "旅游中心、执法大队", "许文跃、许福清"),
    (
        "7",
        "重大项目领导小组、重大办会议议定事项的办结情况",
        30,
        "区重大办",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
    ("8", "2020年度主要经济指标评估情况", 40, "区重大办", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("9", "“五个一批”工作开展情况", 30, "区发改局", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("10", "2020年人才工作完成情况", 20, "区委组织部", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("11", "招商引资工作", 40, "区商务局（区招商办）", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("12", "依法落实安全监管职责情况", 20, "区应急局", "局办、局属各单位", "黄双明、局属各单位负责人"),
    (
        "13",
        "生态环境保护工作",
        40,
        "区发改局（区生态文明办）、区生态环境局（区环委办）",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
    ("14", "保障农民工工资支付工作成效", 20, "区人社局", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("15", "党内法规制度建设", 20, "区委办", "局办、局属各单位", "黄双明、局属各单位负责人"),
    (
        "16",
        "行政事业单位预算管理（含“三公经费”及绩效管理）",
        20,
        "区财政局",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
    ("17", "文明工作评估", 20, "区委宣传部", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("18", "落实意识形态工作责任制", 20, "区委宣传部", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("19", "人大代表建议办理情况", 20, "区人大办", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("20", "政协委员提案办理情况", 20, "区政协办", "局办、局属各单位", "黄双明、局属各单位负责人"),
    (
        "21",
        "社会信用体系建设（含失信被执行人惩戒联动工作）",
        20,
        "区发改局、区法院",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
    ("22", "依法行政成效", 30, "区司法局（委依法治区办）、区法院", "局办、执法大队", "黄双明、陈晓鹭"),
    (
        "23",
        "政府信息公开、电子政务、政务公开",
        20,
        "区政府办",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
    ("24", "公共安全管理", 20, "区公共安全办", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("25", "行政协助", 20, "区委编办", "局办、局属各单位", "黄双明、局属各单位负责人"),
    (
        "26",
        "信访事项依法化解率、12345便民平台建设",
        20,
        "区信访局",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
    ("27", "区委督办件、交办件办理情况", 30, "区委办", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("28", "信息报送", 20, "区委办", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("29", "区委文字综合工作", 20, "区委办", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("30", "档案工作", 20, "区委办（档案局）", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("31", "保密工作", 20, "区委机要保密局", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("32", "区政府督办件、交办件办理情况", 20, "区政府办", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("33", "公文处理", 20, "区委办、区政府办", "局办、局属各单位", "黄双明、局属各单位负责人"),
    (
        "34",
        "行政服务质量（含政务服务“好差评”工作）",
        30,
        "区审批局、区工信局",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
    ("35", "营商环境指数", 30, "区发改局", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("36", "机关效能建设成效", 20, "区效能督查办", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("37", "建设节约型机关", 20, "区机关事务管理局", "局办、局属各单位", "黄双明、局属各单位负责人"),
    (
        "38",
        "区直部门挂钩镇街征地拆迁工作成效",
        20,
        "区重大办",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
    ("39", "落实全面从严治党主体责任", 20, "区纪委监委", "局办、局属各单位", "黄双明、局属各单位负责人"),
    ("40", "严守党的纪律", 20, "区纪委监委", "局办、局属各单位", "黄双明、局属各单位负责人"),
    (
        "41",
        "落实中央八项规定精神，持之以恒纠正“四风”",
        20,
        "区纪委监委",
        "局办、局属各单位",
        "黄双明、局属各单位负责人",
    ),
]

# Rows 1 and 2 also have text in the 一级指标 column (the others' 一级指标 are the
# groups 科学, 依法 …, or empty); it is kept as metadata.
XIAMEN_LEVEL1 = {"1": "2020年区委工作任务分解", "2": "2020年区政府工作任务分解"}


def xiamen_field(name: str) -> str:
    """The data field holding the points an indicator's data source awarded."""
    return f"{normalize_name(name)}得分"


def xiamen() -> Scheme:
    """厦门市翔安区2020年度区直政府部门绩效评估指标体系 (1000 points).

    The seed lists indicators, points, data-collection units, 责任科室 and
    责任人 but no grading rules and no reporting frequencies. Each indicator's
    score is the points its data-collection unit awarded (0 to its 分值), a
    stand-in. 责任科室/责任人 name the sections and people inside one bureau
    that carry the work; every evaluated department is assessed on all 41.
    """
    leaves = {}
    for code, name, points, source, office, person in XIAMEN_ROWS:
        level1 = {"一级指标": XIAMEN_LEVEL1[code]} if code in XIAMEN_LEVEL1 else {}
        leaves[code] = Indicator(
            code=code,
            name=name,
            source=source,
            metadata={**level1, "责任科室": office, "责任人": person},
            score=f"「{xiamen_field(name)}」",
            weight=points,
            stand_in=reported(source, f"{points}分"),
        )

    def pick(first: int, last: int) -> list[Indicator]:
        return [leaves[str(i)] for i in range(first, last + 1)]

    groups = [
        Group(name="差异化指标", declared=420, children=pick(1, 14)),
        Group(
            name="共同性指标",
            declared=580,
            children=[
                Group(name="科学", declared=140, children=pick(15, 21)),
                Group(name="依法", declared=110, children=pick(22, 26)),
                Group(name="高效", declared=270, children=pick(27, 38)),
                Group(name="廉洁", declared=60, children=pick(39, 41)),
            ],
        ),
    ]
    return Scheme(
        name="厦门市翔安区2020年度区直政府部门绩效评估指标体系",
        year="2020",
        source="2020年度区直政府部门绩效评估指标体系（厦门市翔安区）",
        groups=groups,
        basis="points",
        total=1000,
        stand_ins={"not_applicable": NOT_APPLICABLE_XIAMEN},
    )


# Every indicator at 90% of its points: 900 of 1000.
XIAMEN_BASELINE: dict[str, object] = {xiamen_field(row[1]): row[2] * 9 // 10 for row in XIAMEN_ROWS}
