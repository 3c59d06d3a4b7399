// Starts every GOV.UK Frontend component on the page.
import { initAll } from "../govuk/govuk-frontend.min.js";

// The quick exit leaves no way Back to what the family was reading. A click replaces
// the page in the history instead of adding the exit site after it; and if the
// browser brings the page back from its back-forward cache anyway (the component's
// Shift-three-times shortcut navigates normally), it is hidden and swapped for the
// page's plain address, which shows only the date-of-birth question.
const exitButton = document.querySelector(".govuk-exit-this-page__button");
if (exitButton) {
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest(".govuk-exit-this-page__button")) {
      event.preventDefault();
      event.stopImmediatePropagation();
      window.location.replace(exitButton.href);
    }
  }, true);
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      document.body.hidden = true;
      window.location.replace(window.location.pathname);
    }
  });
}

// GOV.UK Frontend stops a second submit within a second only on buttons started as its
// Button component (data-module="govuk-button"): the macro adds that, the hand-written
// buttons that ask for it with data-prevent-double-click did not, so a double click
// sent the form twice (a "This was already done" page, or a reminder refused as
// "already reminded today" although the first click sent it).
for (const button of document.querySelectorAll("[data-prevent-double-click]:not([data-module])")) {
  button.setAttribute("data-module", "govuk-button");
}

initAll();
