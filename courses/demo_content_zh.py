# ruff: noqa: RUF001, E501 -- Chinese punctuation; long bilingual pairs
"""Simplified Chinese titles and summaries of the demo courses, keyed by their English text.

The glossary of the interface (locale/zh_Hans/LC_MESSAGES/django.po header) fixes the terms:
超声造影, 动脉期, 门静脉期, 延迟期, 廓清. Lesson bodies are English only for now: the pages
show them with the "EN" fallback marker.
"""

INSTITUTIONS = {
    "Zhejiang Provincial People's Hospital — Ultrasound Centre": (
        "浙江省人民医院超声中心",
        "浙江省人民医院超声",
    ),
    "Qingxi County People's Hospital": ("清溪县人民医院", "清溪"),
}

TITLES = {
    "Liver CEUS fundamentals": "肝脏超声造影基础",
    "Microbubble contrast physics": "微泡造影剂物理基础",
    "Ultrasound contrast agents": "超声造影剂",
    "Non-linear imaging at low mechanical index": "低机械指数非线性成像",
    "Artefacts and pitfalls": "伪像与误区",
    "Vascular phases of the liver": "肝脏的血管时相",
    "The dual blood supply and the phases": "双重血供与各时相",
    "Benign lesions: sustained enhancement": "良性病变：持续增强",
    "Malignant lesions: wash-out": "恶性病变：廓清",
    "CEUS LI-RADS": "CEUS LI-RADS",
    "Categories and major features": "分类与主要征象",
    "LR-5 versus LR-M": "LR-5 与 LR-M 的鉴别",
    "Worked example: reporting an observation": "实例：观察结节的报告书写",
    "Thyroid nodule CEUS": "甲状腺结节超声造影",
    "Technique": "检查技术",
    "Why contrast for thyroid nodules": "甲状腺结节为何需要超声造影",
}

SUMMARIES = {
    "What ultrasound contrast agents are, how scanners separate bubbles from tissue, and "
    "the artefacts that follow.": "超声造影剂是什么，超声仪如何区分微泡与组织信号，以及由此产生的伪像。",
    "The arterial, portal venous, late and post-vascular phases, and the enhancement "
    "patterns of common lesions.": "动脉期、门静脉期、延迟期与血管后期，以及常见病变的增强模式。",
    "Categorising liver observations in patients at risk of hepatocellular carcinoma.": (
        "对肝细胞癌高危患者的肝脏观察结节进行分类。"
    ),
    "Characterising thyroid nodules and ablation zones (in preparation).": (
        "甲状腺结节及消融区的超声造影评估（编写中）。"
    ),
}

COURSE_SUMMARY = (
    "面向刚开始开展肝脏局灶性病变超声造影的超声医师和临床医生：微泡物理、肝脏的血管时相与 "
    "CEUS LI-RADS。"
)
