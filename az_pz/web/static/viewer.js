// The record viewer: lists the games under az-pz serve --records and steps through one, position by position.
import { get } from "./api.js";
import { renderBoard, seatName } from "./boards.js";

const $ = (id) => document.getElementById(id);
let game = null;
let ply = 0;
let pieces = null;

function showError(text) {
  $("message").textContent = text;
  $("message").className = "error";
}

function result(summary) {
  if (!summary.winner) return "draw";
  const seat = summary.seats.indexOf(summary.winner);
  return `${summary.players[seat]} won`;
}

function show(next) {
  if (!game) return;
  ply = Math.max(0, Math.min(next, game.positions.length - 1));
  const kind = game.positions[0].kind;
  const lastAction = ply > 0 ? game.moves[ply - 1].action : null;
  renderBoard($("board"), game.positions[ply], { pieces, lastAction });
  $("ply").value = ply;
  $("position").textContent = `${ply} / ${game.moves.length}`;
  document.body.dataset.ply = ply;
  [...$("moves").children].forEach((item, i) => item.classList.toggle("current", i === ply - 1));
  const mover = ply < game.moves.length ? game.moves[ply].seat : null;
  $("status").textContent = ply === game.moves.length
    ? `Final position: ${summaryText(game.record)}`
    : `${seatName(kind, mover)} (${game.record.players[mover]}) to play ${game.moves[ply].label}`;
}

function summaryText(record) {
  const rewards = record.seats.map((s, i) => `${record.players[i]} ${record.rewards[s] >= 0 ? "+" : ""}${record.rewards[s]}`);
  return rewards.join(", ");
}

async function open(summary, row) {
  [...$("games").querySelectorAll("tr")].forEach((r) => r.classList.remove("current"));
  row.classList.add("current");
  $("message").textContent = "";
  game = await get(`/api/records/game?file=${encodeURIComponent(summary.file)}&index=${summary.index}`);
  const kind = game.positions[0].kind;
  $("title").textContent = `${game.record.players.join(" vs ")} (${game.record.game}, ${summary.file} #${summary.index})`;
  $("moves").replaceChildren(...game.moves.map((m, i) => {
    const item = document.createElement("li");
    item.textContent = `${seatName(kind, m.seat)}: ${m.label}`;
    item.addEventListener("click", () => show(i + 1));
    return item;
  }));
  $("ply").max = game.moves.length;
  if (game.error) showError(`This record does not replay cleanly: ${game.error}`);
  document.body.dataset.phase = "viewing";
  show(0);
}

async function start() {
  pieces = await get("/api/chess/pieces");
  const listing = await get("/api/records");
  const body = $("games").querySelector("tbody");
  listing.games.forEach((summary, i) => {
    const row = document.createElement("tr");
    for (const cell of [i + 1, summary.file, summary.game, summary.players.join(" vs "), summary.moves, result(summary)]) {
      const td = document.createElement("td");
      td.textContent = cell;
      row.append(td);
    }
    row.addEventListener("click", () => open(summary, row).catch((error) => showError(error.message)));
    body.append(row);
  });
  const notes = [];
  if (!listing.games.length) notes.push("No recorded games found.");
  if (listing.truncated) notes.push("Only the first games are listed.");
  notes.push(...listing.errors.map((e) => `skipped: ${e}`));
  $("listing-notes").textContent = notes.join(" ");
  $("first").addEventListener("click", () => show(0));
  $("prev").addEventListener("click", () => show(ply - 1));
  $("next").addEventListener("click", () => show(ply + 1));
  $("last").addEventListener("click", () => show(Infinity));
  $("ply").addEventListener("input", (event) => show(Number(event.target.value)));
  document.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") show(ply - 1);
    if (event.key === "ArrowRight") show(ply + 1);
  });
  document.body.dataset.phase = "listed";
  const first = body.querySelector("tr");
  if (first) first.click();
}

start().catch((error) => showError(error.message));
