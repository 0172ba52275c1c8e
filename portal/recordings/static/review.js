// The reviewer's page: one speed for every player, keys to play and skip, the waveform and the
// comments' times as ways to jump, the comment form's time following the player, and the
// sample call played turn after turn as one conversation.
(() => {
  "use strict";
  const players = [...document.querySelectorAll("[data-player]")];
  if (!players.length) return;
  let current = players[0];
  const cardOf = (element) => element.closest("article");
  const playerIn = (element) => cardOf(element).querySelector("[data-player]");
  const clock = (seconds) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60))
    .padStart(2, "0")}`;

  const speed = document.querySelector("[data-speed]");
  const applySpeed = () => { for (const player of players) player.playbackRate = Number(speed.value); };
  speed.addEventListener("change", applySpeed);

  function seek(player, seconds, play = true) {
    current = player;
    player.currentTime = Math.max(0, Math.min(seconds, player.duration || seconds));
    if (play) player.play();
  }

  for (const player of players) {
    const card = cardOf(player);
    const cursor = card.querySelector("[data-cursor]");
    const waveform = card.querySelector("[data-waveform]");
    const at = card.querySelector("[data-at]");
    player.addEventListener("play", () => {
      current = player;
      applySpeed();
      for (const other of players) if (other !== player) other.pause();
    });
    player.addEventListener("timeupdate", () => {
      if (!player.duration) return;
      const x = (player.currentTime / player.duration) * waveform.viewBox.baseVal.width;
      cursor.setAttribute("x1", x);
      cursor.setAttribute("x2", x);
      if (at && document.activeElement !== at) at.value = clock(player.currentTime);
    });
    waveform.addEventListener("click", (event) => {
      const box = waveform.getBoundingClientRect();
      if (player.duration) seek(player, ((event.clientX - box.left) / box.width) * player.duration);
    });
  }

  for (const button of document.querySelectorAll("[data-seek-ms]")) {
    button.addEventListener("click", () => seek(playerIn(button), Number(button.dataset.seekMs) / 1000));
  }

  // The whole call: each customer line a trainer recorded, then the candidate's answer.
  for (const button of document.querySelectorAll("[data-play-all]")) {
    button.addEventListener("click", () => {
      const turns = [...document.querySelectorAll(
        `[data-player][data-step="${button.dataset.playAll}"],`
        + ` [data-customer-line][data-step="${button.dataset.playAll}"]`)];
      turns.forEach((player, index) => {
        player.onended = index + 1 < turns.length ? () => seek(turns[index + 1], 0) : null;
      });
      seek(turns[0], 0);
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select, button, audio, video")
        || event.ctrlKey || event.metaKey || event.altKey) return;
    const steps = { ArrowLeft: -5, ArrowRight: 5, j: -10, J: -10, l: 10, L: 10 };
    if (event.key === " " || event.key === "k" || event.key === "K") {
      if (current.paused) current.play(); else current.pause();
    } else if (event.key in steps) {
      seek(current, current.currentTime + steps[event.key], !current.paused);
    } else {
      return;
    }
    event.preventDefault();
  });
})();
