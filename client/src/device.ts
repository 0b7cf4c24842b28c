// This browser's device id: a random UUID kept in localStorage, sent with auction joins and bids
// and with sealed tender bids, so supervision's same-device red flag (SV04) can see two suppliers
// acting from one browser. It identifies a browser profile, nothing about the person.
export function deviceId(): string {
  let id = localStorage.getItem('sp.deviceId');
  if (!id) localStorage.setItem('sp.deviceId', (id = crypto.randomUUID()));
  return id;
}
