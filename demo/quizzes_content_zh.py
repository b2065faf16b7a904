# ruff: noqa: RUF001, E501 -- Chinese punctuation; long bilingual pairs
"""Simplified Chinese of the demo quizzes (``demo.quizzes_content``), keyed by the English text.

Terms as in the interface glossary (locale/zh_Hans/LC_MESSAGES/django.po header): 超声造影,
动脉期, 门静脉期, 延迟期, 廓清, 时间-强度曲线, 肝细胞癌, 血管瘤.
"""

from demo import quizzes_content as en

Q = en.QUESTIONS
HCC_POINTS = "提交后可查看带标注的病例及其教学要点。"

ZH: dict[str, str] = {
    en.EXAM["title"]: "超声造影考试：肝脏与肾脏病例",
    en.EXAM["description"]: (
        "共十道题，来自病例库中的三个病例，另随机抽取一道关于血管时相的题。限时 **30 分钟**，"
        "可作答三次，以最高成绩计。提交后显示反馈及带标注的病例。"
    ),
    en.MODULE_TITLE: "肝脏的血管时相",
    en.MODULE_QUIZ["title"]: "自测：血管时相",
    en.MODULE_QUIZ["description"]: (
        "本模块课程的简短练习测验。每题作答后可立即查看解析，可反复练习。通过后本模块即完成。"
    ),
    # single_contrast_choice
    Q["single_contrast_choice"]["title"]: "肾功能不全患者的肾脏肿块为何选用超声造影",
    Q["single_contrast_choice"]["prompt"]: (
        "该患者患有慢性肾脏病（eGFR 41 mL/min/1.73 m²）。为什么选择**超声**造影来评估该肿块？"
    ),
    "Ultrasound contrast agents are not nephrotoxic.": "超声造影剂没有肾毒性。",
    "CEUS reliably tells clear-cell carcinoma from oncocytoma.": "超声造影能可靠地区分透明细胞癌与嗜酸细胞瘤。",
    "No imaging method does this reliably: histology decides.": "没有任何影像方法能可靠地区分：需由组织学决定。",
    "The CEUS Bosniak classification grades solid renal masses.": "超声造影 Bosniak 分级用于实性肾脏肿块。",
    "CEUS Bosniak is for cystic masses only.": "超声造影 Bosniak 分级仅用于囊性肿块。",
    "Contrast CT cannot show enhancement of a renal mass.": "增强 CT 无法显示肾脏肿块的强化。",
    Q["single_contrast_choice"]["explanation"]: (
        "六氟化硫微泡经肺呼出，**不经肾脏滤过**：肾功能不全时可重复进行超声造影，而碘对比剂或钆对比剂则有风险。"
        "实性组织强化说明这是一个**实性肾脏肿块**；其亚型需由组织学确定。"
    ),
    # multiple_hcc_features
    Q["multiple_hcc_features"]["title"]: "肝硬化结节的增强特征",
    Q["multiple_hcc_features"][
        "prompt"
    ]: "观看该结节的两段动态图像。下列哪些描述符合？请选择**所有**正确项。",
    "Non-rim arterial phase hyperenhancement": "动脉期非环状高增强",
    "The whole nodule lights up.": "整个结节均匀增强。",
    "Wash-out beginning 60 s or more after injection": "注射后 60 秒或更晚开始廓清",
    "Mild wash-out: slightly darker than the liver": "轻度廓清：仅略低于肝实质",
    "Rim arterial phase hyperenhancement": "动脉期环状高增强",
    "Rim APHE would suggest LR-M.": "环状 APHE 提示 LR-M。",
    "Marked (punched-out) wash-out within 2 minutes": "2 分钟内显著（“打孔样”）廓清",
    "Peripheral discontinuous nodular enhancement": "周边不连续结节状增强",
    "That is a haemangioma.": "这是血管瘤的表现。",
    Q["multiple_hcc_features"]["explanation"]: (
        "**动脉期非环状高增强**，门静脉期呈等增强，随后**晚期轻度廓清**（仅在延迟期图像中略低于肝实质）。"
        "早期或显著廓清、或环状 APHE，则提示 LR-M。部分计分：每个正确选项得分，每个错误选项扣分。"
        + HCC_POINTS
    ),
    # true_false_haemangioma
    Q["true_false_haemangioma"]["title"]: "周边结节状增强且无廓清",
    Q["true_false_haemangioma"]["prompt"]: (
        "判断正误：对于该高危患者，周边不连续结节状增强继以向心性填充、且**无廓清**，可判定病灶肯定为良性。"
    ),
    Q["true_false_haemangioma"]["explanation"]: (
        "**正确。**这是血管瘤的典型表现，即使在肝细胞癌高危患者中，CEUS LI-RADS 也将其归为 **LR-1**。"
        "周边结节既不属于环状 APHE，也不属于非环状 APHE，且病灶始终无廓清。"
    ),
    # numeric_arterial_onset
    Q["numeric_arterial_onset"]["title"]: "结节动脉期开始增强的时间",
    Q["numeric_arterial_onset"]["prompt"]: (
        "播放第一段动态图像（造影剂在第 **3 秒**注射）。结节在**注射后**多少秒开始增强？（±2 秒）"
    ),
    Q["numeric_arterial_onset"]["explanation"]: (
        "结节的动脉期增强始于病例时间轴上的时相标记*动脉期开始*——减去注射时间（图像第 3 秒）。"
        "肝细胞癌先于肝实质获得动脉血供，而肝实质主要由门静脉供血增强。"
    ),
    # hotspot_hcc
    Q["hotspot_hcc"]["title"]: "在动脉期找到结节",
    Q["hotspot_hcc"]["prompt"]: "该帧图像取自动脉期。**请点击病灶。**",
    Q["hotspot_hcc"]["explanation"]: (
        "结节位于中心偏右的明亮圆形区域：动脉期其**亮度高于周围肝实质**（非环状 APHE）。"
        "答案区域即病例的病灶 ROI，也就是计算其时间-强度曲线所用的 ROI。"
    ),
    # drawn_hcc
    Q["drawn_hcc"]["title"]: "勾画结节轮廓",
    Q["drawn_hcc"]["prompt"]: (
        "在这帧动脉期图像上，像绘制时间-强度曲线的 ROI 那样**勾画病灶轮廓**。与专家勾画的重叠度（IoU）达 0.5 即为正确。"
    ),
    Q["drawn_hcc"]["explanation"]: (
        "沿增强边缘的内侧勾画：ROI 若超出到肝实质，会混合两条曲线并使病灶峰值变平。专家的病灶 ROI 显示在带标注的病例中。"
    ),
    # time_point_washout
    Q["time_point_washout"]["title"]: "肾脏肿块何时开始廓清？",
    Q["time_point_washout"]["prompt"]: (
        "在肿块**开始廓清**的时刻暂停动态图像——即其亮度开始低于周围肾皮质时。（±3 秒）"
    ),
    Q["time_point_washout"]["explanation"]: (
        "肿块与肾皮质同步增强，短暂呈高增强，**注射后约 30 秒开始廓清**（病例的*廓清开始*标记）；"
        "至图像末尾明显低于皮质，周边可见薄的增强环（假包膜）。"
    ),
    # category_hcc
    Q["category_hcc"]["title"]: "肝硬化结节的 CEUS LI-RADS 分类",
    Q["category_hcc"]["prompt"]: (
        "患者为乙型肝炎肝硬化；结节大小 28 mm。你会给出哪个 **CEUS LI-RADS 分类**？"
    ),
    Q["category_hcc"]["explanation"]: (
        "高危患者中 ≥ 10 mm 的观察结节，表现为非环状 APHE 伴**晚期（≥ 60 秒）轻度**廓清，即 **LR-5**："
        "肯定为肝细胞癌，无需活检。早期或显著廓清、或环状 APHE，则为 LR-M。" + HCC_POINTS
    ),
    # ordering_phases
    Q["ordering_phases"]["title"]: "肝脏血管时相的先后顺序",
    Q["ordering_phases"]["prompt"]: "请按注射后出现的先后顺序排列肝脏的血管时相。",
    "Arterial phase (about 10–30 s)": "动脉期（约 10–30 秒）",
    "Portal venous phase (about 30–120 s)": "门静脉期（约 30–120 秒）",
    "Late phase (from about 120 s until the bubbles clear)": "延迟期（约 120 秒起至微泡消失）",
    Q["ordering_phases"]["explanation"]: (
        "肝脏的**双重血供**形成了各时相：先是肝动脉（动脉期，约 10 秒起），然后是门静脉（门静脉期，约 30–120 秒），"
        "之后为延迟期，直至微泡消失（4–6 分钟）。每对时相顺序正确即得部分分。"
    ),
    # free_text_kidney
    Q["free_text_kidney"]["title"]: "书写肾脏肿块的报告",
    Q["free_text_kidney"][
        "prompt"
    ]: "描述该肾脏肿块在整段动态图像中的增强表现，并说明下一步建议。几句话即可。",
    Q["free_text_kidney"]["explanation"]: (
        "完整的回答应描述**不均匀高增强伴中央坏死**、**约 30 秒开始廓清**伴**假包膜**，"
        "并得出*实性强化肾脏肿块*、建议泌尿外科就诊的结论：超声造影无法判断亚型。"
    ),
    # single_portal_venous
    Q["single_portal_venous"]["title"]: "门静脉期的开始时间",
    Q["single_portal_venous"]["prompt"]: "肝脏的**门静脉期**通常何时开始？",
    "30–45 s after injection": "注射后 30–45 秒",
    "10–20 s after injection": "注射后 10–20 秒",
    "That is the arterial phase.": "这是动脉期。",
    "About 2 minutes after injection": "注射后约 2 分钟",
    "That is the start of the late phase.": "这是延迟期的开始。",
    "4–6 minutes after injection": "注射后 4–6 分钟",
    "By then most bubbles have cleared.": "此时大部分微泡已经消失。",
    Q["single_portal_venous"]["explanation"]: (
        "门静脉期约从注射后 **30–45 秒持续至 120 秒**。在此期内（60 秒前）开始的廓清属于*早期*廓清，提示非肝细胞癌的恶性肿瘤。"
    ),
    # single_late_phase
    Q["single_late_phase"]["title"]: "为何要持续扫查至延迟期",
    Q["single_late_phase"]["prompt"]: (
        "评估肝硬化患者的肝脏结节时，为什么要（间歇地）持续扫查至注射后至少 **5 分钟**？"
    ),
    "The wash-out of HCC is often late and mild: it is missed if you stop early.": (
        "肝细胞癌的廓清常为晚期、轻度：过早停止扫查就会漏掉。"
    ),
    "Arterial enhancement of HCC may only begin after 2 minutes.": "肝细胞癌的动脉期增强可能在 2 分钟后才开始。",
    "The bubbles need 5 minutes to reach the portal vein.": "微泡需要 5 分钟才能到达门静脉。",
    "A second injection is only allowed after 5 minutes.": "5 分钟后才允许第二次注射。",
    Q["single_late_phase"]["explanation"]: (
        "肝细胞癌典型表现为**晚期（≥ 60 秒）轻度**廓清；若在 2 分钟停止扫查就会漏掉，使本应为 LR-5 的观察结节停留在 LR-4。"
    ),
    # true_false_post_vascular
    Q["true_false_post_vascular"]["title"]: "SonoVue 有血管后期吗？",
    Q["true_false_post_vascular"]["prompt"]: (
        "判断正误：使用 SonoVue 时，延迟期之后会出现独立的**血管后期（Kupffer 期）**，与 Sonazoid 相同。"
    ),
    Q["true_false_post_vascular"]["explanation"]: (
        "**错误。**SonoVue 是纯血池造影剂：其延迟期持续至微泡消失。约 10 分钟起的血管后期（Kupffer 期）"
        "是 Sonazoid 的特性，因其可被 Kupffer 细胞摄取。"
    ),
}
