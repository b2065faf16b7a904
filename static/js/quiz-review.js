// Quizzes, the review of a submitted attempt: show each figure's frame, and forget the answers
// this device kept for the attempt (they were for the take page; the attempt is closed now).
(function () {
  "use strict";

  const root = document.querySelector("[data-quiz-review]");
  if (!root || !window.CeusQuiz) { return; }
  try { window.localStorage.removeItem("ceus-quiz-attempt:" + root.dataset.attempt); } catch (e) { /* storage off */ }
  window.CeusQuiz.initFrames(root);
})();
