# ruff: noqa: RUF001, E501 -- Chinese punctuation; long bilingual pairs
"""Simplified Chinese of the demo cases (``demo.cases_content``, ``demo.review``), keyed
by the English text; ``bilingual(content)`` gives a case's texts in both languages.

Terms as in the interface glossary (locale/zh_Hans/LC_MESSAGES/django.po header).
"""

from __future__ import annotations

from typing import Any

from core.content_language import in_both_languages
from demo import cases_content as en

# The case texts registered for translation (cases/translation.py).
TEXTS = ("title", "clinical_history", "final_diagnosis", "teaching_points")

ZH: dict[str, str] = {
    # HCC
    en.HCC["title"]: "肝硬化随访中发现的新发结节",
    en.HCC["clinical_history"]: (
        "男，58 岁，慢性乙型肝炎，代偿期肝硬化（Child–Pugh A 级），每六个月超声随访。"
        "肝 VIII 段新发低回声结节，大小 28 mm；AFP 86 ng/mL。申请超声造影以明确性质。\n\n"
        "第一段动态图像记录注射（第 3 秒）至 47 秒的团注过程；第二段为注射后 150 秒采集的延迟期图像。"
    ),
    en.HCC["final_diagnosis"]: "肝细胞癌，中分化",
    en.HCC["teaching_points"]: (
        "- 整个结节呈**动脉期非环状高增强**（APHE），注射后约 15 秒起亮度高于肝实质。\n"
        "- 结节**门静脉期呈等增强**，仅在**晚期（≥ 60 秒）出现轻度廓清**：延迟期图像中略低于肝实质，"
        "从未呈“打孔样”。\n"
        "- 高危患者中 ≥ 10 mm 的观察结节，非环状 APHE 伴晚期轻度廓清，即 **CEUS LR-5**：肯定为肝细胞癌，无需活检。\n"
        "- 若为早期（< 60 秒）或显著廓清、或环状 APHE，则为 **LR-M**：应考虑胆管细胞癌或转移瘤并进行活检。\n"
        "- 间歇扫查至注射后至少 5 分钟：若检查过早结束，晚期轻度廓清很容易漏掉。\n"
        "- 时间-强度曲线以数字呈现同样的过程：与同一深度的肝实质相比，结节达峰更早、更高，随后降至其下方。"
    ),
    # Haemangioma
    en.HAEMANGIOMA["title"]: "乙肝携带者的高回声肝脏病灶",
    en.HAEMANGIOMA["clinical_history"]: (
        "女，46 岁，慢性乙型肝炎（无肝硬化），定期随访。肝 VI 段新发边界清楚的高回声病灶，大小 24 mm；"
        "肝功能及 AFP 正常。\n\n"
        "第一段动态图像记录注射（第 3 秒）至 47 秒；第二段为注射后 180 秒采集的延迟期图像。"
    ),
    en.HAEMANGIOMA["final_diagnosis"]: "肝血管瘤",
    en.HAEMANGIOMA["teaching_points"]: (
        "- 动脉期呈**周边不连续结节状增强**，随后**向心性填充**，在门静脉期逐渐推进，延迟期图像中填充完全。\n"
        "- 病灶**始终无廓清**：相对肝实质持续呈等增强或高增强。\n"
        "- 该表现可诊断血管瘤，即使在肝细胞癌高危患者中，该观察结节也归为 **LR-1**（肯定良性）。\n"
        "- 周边结节既非环状 APHE（连续的环并继以廓清），也非非环状 APHE：不要因此怀疑恶性。\n"
        "- 较大的血管瘤可填充缓慢或不完全（中心血栓或纤维化）；无廓清的部分填充仍属典型表现。"
        "小的“快速填充型”血管瘤可瞬间增强而类似 APHE——持续增强可以揭示其本质。\n"
        "- 病灶的时间-强度曲线缓慢上升并保持高位；与肝实质曲线比较，二者交叉后病灶曲线并不降至其下方。"
    ),
    # Kidney
    en.KIDNEY["title"]: "右肾上极实性肿块",
    en.KIDNEY["clinical_history"]: (
        "男，63 岁，2 型糖尿病，慢性肾脏病（eGFR 41 mL/min/1.73 m²）。因腰痛行超声检查，"
        "发现右肾上极一等回声、部分外生性实性肿块，大小 32 mm。因超声造影剂无肾毒性，选择超声造影检查。\n\n"
        "一段动态图像，记录注射（第 2 秒）至 48 秒。"
    ),
    en.KIDNEY["final_diagnosis"]: "肾透明细胞癌（ISUP 2 级）",
    en.KIDNEY["teaching_points"]: (
        "- 肿块与肾皮质同步增强，**不均匀**，短暂呈**高增强**；中央区域始终无增强（坏死）。\n"
        "- 约 30 秒起相对于皮质出现**廓清**，至图像末尾已很明显。\n"
        "- 后期图像中较暗的肿瘤周围可见一圈持续增强的**病灶周边环**（假包膜）：支持肾细胞癌的征象。\n"
        "- 有强化的实性组织即提示实性肾脏肿块：超声造影无法可靠区分透明细胞癌与其他亚型、嗜酸细胞瘤或乏脂肪血管平滑肌脂肪瘤，"
        "需由组织学决定。超声造影 Bosniak 分级仅适用于囊性肿块。\n"
        "- 将病灶曲线与相近深度的皮质 ROI 比较，而不要与较晚增强的髓质比较。"
    ),
}


def bilingual(content: dict[str, Any], chinese: dict[str, str] = ZH) -> dict[str, Any]:
    """``content`` with each translated text given in English and Chinese (``title_en`` …)."""
    texts = {field: content[field] for field in TEXTS if field in content}
    rest = {key: value for key, value in content.items() if key not in texts}
    return {**rest, **in_both_languages(chinese, **texts)}
