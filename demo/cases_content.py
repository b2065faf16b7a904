# ruff: noqa: RUF001 -- references use en dashes for page ranges, as journals print them
"""Teaching text of the three demo cases (authored content in English, like a real author's).

Patients are invented. Facts follow the CEUS LI-RADS v2017 and the WFUMB-EFSUMB liver (2020) and
EFSUMB non-hepatic (2017) guidelines cited in each case.
"""

SONOVUE = "SonoVue (sulphur hexafluoride microbubbles)"

HCC = {
    "title": "New nodule in a cirrhotic liver under surveillance",
    "organ": "liver",
    "modality": "ceus",
    "difficulty": 2,
    "contrast_agent": SONOVUE,
    "contrast_dose": "2.4 mL IV bolus, 10 mL saline flush",
    "clinical_history": (
        "A 58-year-old man with chronic hepatitis B and compensated cirrhosis (Child–Pugh A) "
        "in six-monthly ultrasound surveillance. A new hypoechoic nodule of 28 mm was found in "
        "segment VIII; AFP 86 ng/mL. CEUS was requested to characterise it.\n\n"
        "The first loop follows the bolus from injection (at 3 s) to 47 s; the second is a "
        "late-phase clip recorded 150 s after injection."
    ),
    "arterial_enhancement": "hyper",
    "arterial_pattern": "non_rim",
    "portal_venous_enhancement": "iso",
    "late_enhancement": "hypo",
    "washout_onset_s": 70.0,
    "washout_degree": "mild",
    "category": "LR-5",
    "final_diagnosis": "Hepatocellular carcinoma, moderately differentiated",
    "proof": "histology",
    "certainty": "certain",
    "teaching_points": (
        "- **Non-rim arterial phase hyperenhancement** (APHE) of the whole nodule, brighter "
        "than the liver from about 15 s after injection.\n"
        "- The nodule is **iso-enhancing in the portal venous phase** and washes out only "
        "**late (≥ 60 s) and mildly**: in the late clip it is a little darker than the liver, "
        "never punched-out.\n"
        "- Non-rim APHE with late, mild wash-out in an observation ≥ 10 mm in a patient at "
        "risk is **CEUS LR-5**: definitely HCC, no biopsy needed.\n"
        "- Early (< 60 s) or marked wash-out, or rim APHE, would instead make it **LR-M**: "
        "think of cholangiocarcinoma or a metastasis and biopsy.\n"
        "- Keep scanning intermittently until at least 5 minutes after injection: late, mild "
        "wash-out is easy to miss if the examination stops early.\n"
        "- The time-intensity curves show the same story in numbers: the nodule peaks earlier "
        "and higher than the liver at the same depth, then falls below it."
    ),
    "references": (
        "- Kono Y, Lyshchik A, Cosgrove D, et al. Contrast Enhanced Ultrasound (CEUS) Liver "
        "Imaging Reporting and Data System (LI-RADS®): the official version by the American "
        "College of Radiology (ACR). *Ultraschall Med* 2017;38:85–86.\n"
        "- Dietrich CF, Nolsøe CP, Barr RG, et al. Guidelines and Good Clinical Practice "
        "Recommendations for Contrast-Enhanced Ultrasound (CEUS) in the Liver — Update 2020. "
        "*Ultraschall Med* 2020;41:562–585."
    ),
    "tags": ["cirrhosis", "hepatitis B", "HCC", "LI-RADS"],
}

HAEMANGIOMA = {
    "title": "Echogenic liver lesion in a hepatitis B carrier",
    "organ": "liver",
    "modality": "ceus",
    "difficulty": 1,
    "contrast_agent": SONOVUE,
    "contrast_dose": "2.4 mL IV bolus, 10 mL saline flush",
    "clinical_history": (
        "A 46-year-old woman with chronic hepatitis B (no cirrhosis) under surveillance. A new, "
        "well-defined hyperechoic lesion of 24 mm in segment VI; liver tests and AFP normal.\n\n"
        "The first loop runs from injection (at 3 s) to 47 s; the second is a late clip "
        "recorded 180 s after injection."
    ),
    "arterial_enhancement": "hyper",
    "arterial_pattern": "",
    "portal_venous_enhancement": "hyper",
    "late_enhancement": "hyper",
    "washout_onset_s": None,
    "washout_degree": "none",
    "category": "LR-1",
    "final_diagnosis": "Hepatic haemangioma",
    "proof": "follow_up",
    "certainty": "almost_certain",
    "teaching_points": (
        "- **Peripheral, discontinuous nodular enhancement** in the arterial phase, followed "
        "by **centripetal fill-in** that progresses through the portal venous phase and is "
        "complete in the late clip.\n"
        "- The lesion **never washes out**: it stays iso- or hyperenhancing to the liver.\n"
        "- This pattern is diagnostic of haemangioma and makes the observation **LR-1** "
        "(definitely benign), even in a patient at risk of HCC.\n"
        "- Peripheral nodules are neither rim APHE (a continuous ring, followed by wash-out) "
        "nor non-rim APHE: do not let them suggest malignancy.\n"
        "- Large haemangiomas may fill in slowly or incompletely (thrombosed or fibrotic "
        'centres); partial fill-in without wash-out is still typical. Small "flash-filling" '
        "haemangiomas enhance at once and mimic APHE — the sustained enhancement gives them "
        "away.\n"
        "- The lesion's time-intensity curve rises slowly and stays up; compare it with the "
        "liver's, which it crosses without falling below."
    ),
    "references": (
        "- Claudon M, Dietrich CF, Choi BI, et al. Guidelines and good clinical practice "
        "recommendations for contrast enhanced ultrasound (CEUS) in the liver — update 2012. "
        "*Ultraschall Med* 2013;34:11–29.\n"
        "- Kono Y, Lyshchik A, Cosgrove D, et al. CEUS LI-RADS®: the official version by the "
        "American College of Radiology (ACR). *Ultraschall Med* 2017;38:85–86."
    ),
    "tags": ["benign", "haemangioma", "LI-RADS", "fill-in"],
}

KIDNEY = {
    "title": "Solid mass in the upper pole of the right kidney",
    "organ": "kidney",
    "modality": "ceus",
    "difficulty": 3,
    "contrast_agent": SONOVUE,
    "contrast_dose": "1.2 mL IV bolus, 10 mL saline flush",
    "clinical_history": (
        "A 63-year-old man with type 2 diabetes and chronic kidney disease (eGFR 41 "
        "mL/min/1.73 m²). Ultrasound for flank pain showed an isoechoic, partly exophytic solid "
        "mass of 32 mm in the upper pole of the right kidney. CEUS was chosen because "
        "ultrasound contrast agents are not nephrotoxic.\n\n"
        "One loop from injection (at 2 s) to 48 s."
    ),
    "arterial_enhancement": "hyper",
    "arterial_pattern": "",
    "portal_venous_enhancement": "hypo",
    "late_enhancement": "hypo",
    "washout_onset_s": 30.0,
    "washout_degree": "marked",
    "category": "Solid enhancing renal mass",
    "final_diagnosis": "Clear cell renal cell carcinoma (ISUP grade 2)",
    "proof": "histology",
    "certainty": "certain",
    "teaching_points": (
        "- The mass enhances together with the cortex, **heterogeneously**, and is briefly "
        "**hyperenhancing** to it; a central area never enhances (necrosis).\n"
        "- It **washes out** relative to the cortex from about 30 s, clearly by the end of "
        "the loop.\n"
        "- A thin **perilesional rim** (pseudocapsule) stays enhanced around the darker "
        "tumour in the later frames: a sign that favours renal cell carcinoma.\n"
        "- Enhancing solid tissue means a solid renal mass: CEUS cannot reliably separate "
        "clear-cell carcinoma from other subtypes, oncocytoma or fat-poor angiomyolipoma, so "
        "histology decides. The CEUS Bosniak classification is for cystic masses only.\n"
        "- Compare the lesion's curve with a cortex ROI at a similar depth, not with the "
        "medulla, which enhances later."
    ),
    "references": (
        "- Sidhu PS, Cantisani V, Dietrich CF, et al. The EFSUMB Guidelines and "
        "Recommendations for the Clinical Practice of Contrast-Enhanced Ultrasound (CEUS) in "
        "Non-Hepatic Applications: Update 2017 (Long Version). *Ultraschall Med* "
        "2018;39:e2–e44."
    ),
    "tags": ["kidney", "renal cell carcinoma", "renal impairment"],
}
