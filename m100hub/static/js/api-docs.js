// The open-data page's reference: Swagger UI (static/vendor/, from npm) over the API's
// OpenAPI document. Read-only: "Try it out" sends GET requests to this site only.
// Swagger UI leaves its argument menus without a name and its code boxes out of the keyboard's
// reach: both are given here, whenever it draws them (WCAG 4.1.2, 2.1.1).
function nameWhatSwaggerDraws(root) {
  root.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach((menu) => {
    menu.setAttribute("aria-label", menu.closest("tr").dataset.paramName);
  });
  root.querySelectorAll(".highlight-code pre:not([tabindex]), .microlight:not([tabindex])")
    .forEach((box) => box.setAttribute("tabindex", "0"));
}

document.addEventListener("DOMContentLoaded", () => {
  const target = document.getElementById("api-reference");
  if (!target || typeof SwaggerUIBundle !== "function") return;
  target.textContent = "";
  new MutationObserver(() => nameWhatSwaggerDraws(target))
    .observe(target, { childList: true, subtree: true });
  SwaggerUIBundle({
    url: target.dataset.openapi,
    domNode: target,
    deepLinking: false,
    validatorUrl: null,
    syntaxHighlight: false,
    supportedSubmitMethods: ["get", "head"],
    defaultModelsExpandDepth: 0,
  });
});
