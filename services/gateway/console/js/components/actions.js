// The transition buttons of a record: exactly the steps in its `allowed_actions` (the
// service says which are legal now), less those the signed-in role may not use. Each opens a
// form for that step's fields, built from the route's request schema.

import { call, operation } from "../catalog.js";
import { h } from "../dom.js";
import { may } from "../roles.js";
import { navigate } from "../router.js";
import { describeError, openSheet, toast } from "../ui.js";
import { buildForm, fieldsFromSchema } from "./form.js";

/**
 * actionBar({record, opFor(action) → operation id, params, forms: {action: {only, hints,
 * labels, scope, values, submitLabel}}, onDone(result, action)}). A form's options may also be
 * a function returning them or a promise of them, called when its button is pressed (choices
 * the form must fetch first: 修改活动's venues and their rooms).
 */
export function actionBar(config) {
  const allowed = (config.record.allowed_actions || [])
    .map((a) => ({ ...a, op: config.opFor(a.action) }))
    .filter((a) => a.op && may(a.op));
  if (!allowed.length) return h("p", { class: "empty" }, "当前没有您可以进行的操作。");
  return h("div", { class: "actions" }, allowed.map((a) => {
    const given = config.forms?.[a.action] || {};
    return h("button", {
      type: "button", class: "action", dataset: { action: a.action },
      onclick: async () => {
        let options;
        try {
          options = typeof given === "function" ? await given(config.record) : given;
        } catch (error) {
          toast(describeError(error), "error");
          return;
        }
        // Some steps have a page of their own (door check-in), not a form.
        if (options.go) navigate(options.go(config.record));
        else await openAction(config, a.op, a.name, options, a.action);
      },
    }, a.name);
  }));
}

/** Open the form of one operation in a sheet; resolves with the API's answer, or undefined. */
export function openAction(config, opId, title, formOptions = {}, action = opId) {
  const op = operation(opId);
  const specs = op.body ? fieldsFromSchema(op.body, formOptions) : [];
  return openSheet(title, (close) => {
    const form = buildForm(specs, {
      values: typeof formOptions.values === "function" ? formOptions.values(config.record) : formOptions.values,
      submitLabel: formOptions.submitLabel || `确认${title}`,
      onCancel: () => close(undefined),
      extra: formOptions.note ? h("p", { class: "help" }, formOptions.note) : null,
      onSubmit: async (data) => {
        const result = await call(opId, config.params, formOptions.transform ? formOptions.transform(data) : data);
        close(result);
        toast(`${title}:已完成`, "ok");
        if (config.onDone) await config.onDone(result, action);
      },
    });
    return form.element;
  });
}
