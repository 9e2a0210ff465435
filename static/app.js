// Live progress for the Exports page. Without this script the page still
// works: it reloads itself every few seconds while a job is running.
"use strict";

function watchJob(item) {
  const id = item.dataset.jobId;
  const bar = item.querySelector('[data-field="bar"]');
  const text = item.querySelector('[data-field="text"]');
  const status = item.querySelector('[data-field="status"]');
  const source = new EventSource("/api/jobs/" + encodeURIComponent(id) + "/events");

  function show(event) {
    const job = JSON.parse(event.data);
    bar.value = job.progress.percentage;
    bar.textContent = job.progress.percentage + "%";
    text.textContent = job.progressText;
    status.textContent = job.status;
    status.className = "status status-" + job.status;
    item.dataset.status = job.status;
    return job;
  }

  source.addEventListener("progress", show);
  for (const type of ["completed", "failed", "cancelled", "expired"]) {
    source.addEventListener(type, (event) => {
      show(event);
      source.close();
      // The server renders the download link and its expiry.
      window.setTimeout(() => window.location.reload(), 300);
    });
  }
}

document.querySelectorAll("[data-live]").forEach(watchJob);
