// A live microphone level for the pages that check a microphone: shown on a <meter> (-80 to 0
// dBFS) and read as a number. `const level = await window.startLevelMeter(stream, meter);`
// then `level.now()` (dBFS, -160 for silence) and `level.stop()`.
window.startLevelMeter = async (stream, meter) => {
  "use strict";
  const context = new AudioContext();
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  context.createMediaStreamSource(stream).connect(analyser);
  const buffer = new Float32Array(analyser.fftSize);
  const now = () => {
    analyser.getFloatTimeDomainData(buffer);
    let sum = 0;
    for (const x of buffer) sum += x * x;
    const rms = Math.sqrt(sum / buffer.length);
    return rms > 0 ? Math.max(-160, Math.min(0, 20 * Math.log10(rms))) : -160;
  };
  let running = true;
  const draw = () => {
    if (!running) return;
    meter.value = Math.max(-80, now());
    requestAnimationFrame(draw);
  };
  draw();
  return { now, stop: () => { running = false; context.close(); } };
};
