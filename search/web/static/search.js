// Optional: apply a changed sort or checkbox at once (the Search button does the same without it).
document.querySelectorAll("[data-autosubmit]").forEach((field) => {
  field.addEventListener("change", () => field.form.requestSubmit());
});
