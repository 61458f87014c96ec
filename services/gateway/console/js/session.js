// Who is signed in. The session itself is the gateway's HttpOnly cookie; the console keeps
// only the account it describes, to decide what to show.

import { api } from "./api.js";

let current = null;

export function account() {
  return current;
}

export function role() {
  return current?.role || null;
}

export async function restore() {
  try {
    current = (await api.get("/api/session")).account;
  } catch (error) {
    if (error.status !== 401) throw error;
    current = null;
  }
  return current;
}

export async function signIn(username, password) {
  current = (await api.post("/api/session", { username, password })).account;
  return current;
}

export async function signOut() {
  try {
    await api.delete("/api/session");
  } finally {
    current = null;
  }
}

export function forget() {
  current = null;
}
