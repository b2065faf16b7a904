# ruff: noqa: RUF001 -- time ranges use en dashes, as the guidelines print them
"""Text of the demo quizzes (authored content in English, like the demo cases it asks about).

Each question names the demo case it is about (``"hcc"``, ``"haemangioma"``, ``"kidney"`` or
None); keys that come from a case — the lesion outline, the phase markers, the category — are
read from the case by ``demo.quizzes`` so that questions and cases can never disagree.
Prompts never give the diagnosis away: the trainee sees them before any feedback.
"""

EXAM = {
    "title": "CEUS exam: liver and kidney cases",
    "description": (
        "Ten questions on three cases from the library, and one drawn at random about the "
        "vascular phases. You have **30 minutes** and three attempts; your best attempt "
        "counts. Feedback, with the annotated cases, appears once you submit."
    ),
}

MODULE_QUIZ = {
    "title": "Check yourself: the vascular phases",
    "description": (
        "A short practice quiz on the lessons of this module. Check each answer to see its "
        "explanation at once; take it as often as you like. The module is complete once you "
        "pass it."
    ),
}

# Teaching points are the cases'; explanations point the trainee back to them.
HCC_POINTS = "See the annotated case and its teaching points once you have submitted."

QUESTIONS: dict[str, dict] = {
    "single_contrast_choice": {
        "kind": "single",
        "case": "kidney",
        "title": "Why CEUS for a renal mass in kidney disease",
        "tags": ["kidney", "safety"],
        "prompt": (
            "This patient has chronic kidney disease (eGFR 41 mL/min/1.73 m²). Why was "
            "contrast-enhanced **ultrasound** chosen to characterise the mass?"
        ),
        "options": [
            ("Ultrasound contrast agents are not nephrotoxic.", True, ""),
            (
                "CEUS reliably tells clear-cell carcinoma from oncocytoma.",
                False,
                "No imaging method does this reliably: histology decides.",
            ),
            (
                "The CEUS Bosniak classification grades solid renal masses.",
                False,
                "CEUS Bosniak is for cystic masses only.",
            ),
            ("Contrast CT cannot show enhancement of a renal mass.", False, ""),
        ],
        "explanation": (
            "Sulphur hexafluoride microbubbles are exhaled and **never filtered by the "
            "kidney**: CEUS can be repeated in renal impairment, where iodinated or "
            "gadolinium contrast carries risks. Enhancing solid tissue makes this a **solid "
            "renal mass**; the subtype is for histology."
        ),
    },
    "multiple_hcc_features": {
        "kind": "multiple",
        "case": "hcc",
        "partial_credit": True,
        "points": 2,
        "title": "Enhancement features of the cirrhotic nodule",
        "tags": ["liver", "LI-RADS", "phases"],
        "prompt": (
            "Watch both loops of this nodule. Which of these describe it? Choose **all** that "
            "apply."
        ),
        "options": [
            ("Non-rim arterial phase hyperenhancement", True, "The whole nodule lights up."),
            ("Wash-out beginning 60 s or more after injection", True, ""),
            ("Mild wash-out: slightly darker than the liver", True, ""),
            ("Rim arterial phase hyperenhancement", False, "Rim APHE would suggest LR-M."),
            ("Marked (punched-out) wash-out within 2 minutes", False, ""),
            ("Peripheral discontinuous nodular enhancement", False, "That is a haemangioma."),
        ],
        "explanation": (
            "**Non-rim APHE**, then iso-enhancement in the portal venous phase and **late, "
            "mild wash-out** (darker than the liver only in the late clip). Early or marked "
            "wash-out, or rim APHE, would point to LR-M instead. Partial credit: each right "
            "choice earns, each wrong one costs. " + HCC_POINTS
        ),
    },
    "true_false_haemangioma": {
        "kind": "true_false",
        "case": "haemangioma",
        "correct": True,
        "title": "Peripheral nodular enhancement without wash-out",
        "tags": ["liver", "phases"],
        "prompt": (
            "True or false: in this patient at risk, peripheral discontinuous nodular "
            "enhancement followed by centripetal fill-in, **without wash-out**, makes the "
            "lesion definitely benign."
        ),
        "explanation": (
            "**True.** This is the classic pattern of a haemangioma, and CEUS LI-RADS "
            "categorises it **LR-1** even in a patient at risk of HCC. The peripheral nodules "
            "are neither rim nor non-rim APHE, and the lesion never washes out."
        ),
    },
    "numeric_arterial_onset": {
        "kind": "numeric",
        "case": "hcc",
        "tolerance": 2.0,
        "unit": "s",
        "title": "Time to arterial enhancement of the nodule",
        "tags": ["liver", "phases", "timing"],
        "prompt": (
            "Play the first loop (contrast was injected **3 s** into it). How many seconds "
            "**after injection** does the nodule begin to enhance? (±2 s)"
        ),
        "explanation": (
            "The nodule's arterial enhancement begins at the phase marker *arterial phase "
            "onset* on the case's timeline — subtract the injection time (3 s into the loop). "
            "HCC recruits arterial blood before the liver, which enhances mostly from the "
            "portal vein."
        ),
    },
    "hotspot_hcc": {
        "kind": "hotspot",
        "case": "hcc",
        "title": "Find the nodule in the arterial phase",
        "tags": ["liver", "lesion detection"],
        "prompt": "This frame is from the arterial phase. **Click the lesion.**",
        "explanation": (
            "The nodule is the bright round area right of centre: in the arterial phase it "
            "is **brighter than the surrounding liver** (non-rim APHE). The answer region is "
            "the case's lesion ROI, the same one its time-intensity curve is computed on."
        ),
    },
    "drawn_hcc": {
        "kind": "drawn",
        "case": "hcc",
        "overlap_threshold": 0.5,
        "points": 2,
        "title": "Outline the nodule",
        "tags": ["liver", "lesion detection"],
        "prompt": (
            "On this arterial-phase frame, **outline the lesion** as you would draw an ROI "
            "for its time-intensity curve. An overlap (IoU) of 0.5 with the expert's outline "
            "is accepted."
        ),
        "explanation": (
            "Draw just inside the enhancing edge: an ROI that spills over into the liver "
            "mixes two curves and flattens the lesion's peak. The expert's lesion ROI is "
            "shown on the annotated case."
        ),
    },
    "time_point_washout": {
        "kind": "time_point",
        "case": "kidney",
        "tolerance": 3.0,
        "title": "When does the renal mass wash out?",
        "tags": ["kidney", "phases", "timing"],
        "prompt": (
            "Pause the loop at the moment the mass **starts to wash out** — when it becomes "
            "darker than the renal cortex around it. (±3 s)"
        ),
        "explanation": (
            "The mass enhances with the cortex, is briefly hyperenhancing, and **washes out "
            "from about 30 s after injection** (the case's *wash-out onset* marker); by the "
            "end of the loop it is clearly darker, with a thin enhanced rim (pseudocapsule)."
        ),
    },
    "category_hcc": {
        "kind": "category",
        "case": "hcc",
        "vocabulary": "lirads",
        "points": 2,
        "title": "CEUS LI-RADS category of the cirrhotic nodule",
        "tags": ["liver", "LI-RADS"],
        "prompt": (
            "The patient has cirrhosis from hepatitis B; the nodule measures 28 mm. Which "
            "**CEUS LI-RADS category** do you assign?"
        ),
        "explanation": (
            "Non-rim APHE with **late (≥ 60 s) and mild** wash-out in an observation ≥ 10 mm "
            "in a patient at risk is **LR-5**: definitely HCC, no biopsy needed. Early or "
            "marked wash-out, or rim APHE, would make it LR-M. " + HCC_POINTS
        ),
    },
    "ordering_phases": {
        "kind": "ordering",
        "case": None,
        "partial_credit": True,
        "title": "The vascular phases of the liver, in order",
        "tags": ["liver", "phases"],
        "prompt": "Put the vascular phases of the liver in the order they follow an injection.",
        "options": [
            ("Arterial phase (about 10–30 s)", True, ""),
            ("Portal venous phase (about 30–120 s)", True, ""),
            ("Late phase (from about 120 s until the bubbles clear)", True, ""),
        ],
        "explanation": (
            "The liver's **dual blood supply** makes the phases: the hepatic artery first "
            "(arterial, from ~10 s), then the portal vein (portal venous, ~30–120 s), then "
            "the late phase until the microbubbles disappear (4–6 min). Partial credit per "
            "pair of phases in the right order."
        ),
    },
    "free_text_kidney": {
        "kind": "free_text",
        "case": "kidney",
        "points": 3,
        "title": "Report the renal mass",
        "tags": ["kidney", "reporting"],
        "prompt": (
            "Describe the enhancement of this renal mass through the loop, and say what you "
            "would recommend next. A few sentences are enough."
        ),
        "rubric": (
            "1 point: heterogeneous enhancement with the cortex, briefly hyperenhancing, with "
            "a central non-enhancing (necrotic) area.\n"
            "1 point: wash-out from about 30 s, with a persistent perilesional rim "
            "(pseudocapsule).\n"
            "1 point: conclusion *solid enhancing renal mass*, suspicious of renal cell "
            "carcinoma, for urological referral / histology — not the CEUS Bosniak "
            "classification (cystic masses only)."
        ),
        "explanation": (
            "A full answer describes **heterogeneous hyperenhancement with central "
            "necrosis**, **wash-out from about 30 s** with a **pseudocapsule**, and "
            "concludes *solid enhancing renal mass* for urological referral: CEUS cannot "
            "tell the subtype."
        ),
    },
    # The bank beyond the exam's fixed list: the exam draws one of the "phases" questions
    # that it does not already list; the module quiz uses them directly.
    "single_portal_venous": {
        "kind": "single",
        "case": None,
        "title": "Start of the portal venous phase",
        "tags": ["liver", "phases"],
        "prompt": "When does the **portal venous phase** of the liver usually begin?",
        "options": [
            ("30–45 s after injection", True, ""),
            ("10–20 s after injection", False, "That is the arterial phase."),
            ("About 2 minutes after injection", False, "That is the start of the late phase."),
            ("4–6 minutes after injection", False, "By then most bubbles have cleared."),
        ],
        "explanation": (
            "The portal venous phase runs from about **30–45 s to 120 s** after injection. "
            "Wash-out that starts within it (before 60 s) is *early* and suggests a non-HCC "
            "malignancy."
        ),
    },
    "single_late_phase": {
        "kind": "single",
        "case": None,
        "title": "Why keep scanning into the late phase",
        "tags": ["liver", "phases"],
        "prompt": (
            "Why should you keep scanning (intermittently) until at least **5 minutes** after "
            "injection when characterising a liver nodule in cirrhosis?"
        ),
        "options": [
            (
                "The wash-out of HCC is often late and mild: it is missed if you stop early.",
                True,
                "",
            ),
            ("Arterial enhancement of HCC may only begin after 2 minutes.", False, ""),
            ("The bubbles need 5 minutes to reach the portal vein.", False, ""),
            ("A second injection is only allowed after 5 minutes.", False, ""),
        ],
        "explanation": (
            "HCC typically washes out **late (≥ 60 s) and mildly**; stopping at 2 minutes "
            "misses it and leaves an LR-5 observation at LR-4."
        ),
    },
    "true_false_post_vascular": {
        "kind": "true_false",
        "case": None,
        "correct": False,
        "title": "A post-vascular phase with SonoVue?",
        "tags": ["phases"],
        "prompt": (
            "True or false: with SonoVue, a distinct **post-vascular (Kupffer) phase** follows "
            "the late phase, as with Sonazoid."
        ),
        "explanation": (
            "**False.** SonoVue is a purely intravascular agent: its late phase lasts until "
            "the bubbles clear. A post-vascular (Kupffer) phase, from about 10 minutes, is a "
            "property of Sonazoid, which Kupffer cells take up."
        ),
    },
}

# The exam lists every kind once, in this order; it also draws one "phases" question.
EXAM_ITEMS = [
    "single_contrast_choice",
    "multiple_hcc_features",
    "true_false_haemangioma",
    "numeric_arterial_onset",
    "hotspot_hcc",
    "drawn_hcc",
    "time_point_washout",
    "category_hcc",
    "ordering_phases",
    "free_text_kidney",
]
EXAM_DRAW_TAG = "phases"
MODULE_QUIZ_ITEMS = [
    "ordering_phases",
    "single_portal_venous",
    "single_late_phase",
    "true_false_haemangioma",
]
MODULE_TITLE = "Vascular phases of the liver"  # demo.courses.LIVER_MODULES

# Free-text answers of the demo trainees, with the credit the instructor gives each.
FREE_TEXT_ANSWERS = [
    (
        "Heterogeneous enhancement with the cortex, briefly brighter than it, with a central "
        "area that never enhances. Wash-out from about 30 s with a thin enhancing rim. Solid "
        "enhancing renal mass, likely RCC: refer to urology for histology.",
        1.0,
        "Complete: enhancement, wash-out with pseudocapsule, and the right conclusion.",
    ),
    (
        "The mass enhances quickly and then becomes darker than the kidney. It looks "
        "malignant, so I would recommend a biopsy or surgery.",
        0.67,
        "Good conclusion; describe the necrosis and the rim (pseudocapsule) next time.",
    ),
    (
        "Enhancing lesion, I would classify it Bosniak III and follow it up.",
        0.33,
        "Bosniak is for cystic masses only: this is a solid enhancing mass.",
    ),
    (
        "It is a cyst.",
        0.0,
        "The mass enhances: it is solid tissue, not a cyst.",
    ),
]
