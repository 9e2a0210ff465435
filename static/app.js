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

// The Import page sends the file straight to storage, showing its own
// progress, then submits the form with the upload's key.
function showUpload(form, percentage, message) {
  form.querySelector('[data-field="upload"]').hidden = false;
  const bar = form.querySelector('[data-field="upload-bar"]');
  if (percentage !== null) {
    bar.value = percentage;
  }
  form.querySelector('[data-field="upload-text"]').textContent = message;
}

async function requestUpload(form, file) {
  const response = await fetch("/api/uploads", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-CSRF-Token": form.elements.csrf_token.value,
    },
    body: JSON.stringify({
      filename: file.name,
      size: file.size,
      contentType: file.type || "application/octet-stream",
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error ? body.error.message : "The upload could not start.");
  }
  return body;
}

function sendFile(form, file, url) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) {
        const percentage = Math.floor((event.loaded / event.total) * 100);
        showUpload(form, percentage, "Uploading: " + percentage + "%");
      }
    });
    request.addEventListener("load", () => {
      if (request.status === 200) {
        resolve();
        return;
      }
      let message = "The upload failed with status " + request.status + ".";
      try {
        message = JSON.parse(request.responseText).error.message;
      } catch (ignored) {
        // Keep the status message.
      }
      reject(new Error(message));
    });
    request.addEventListener("error", () => reject(new Error("The connection broke during the upload; try again.")));
    request.send(file);
  });
}

function watchUploadForm(form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) {
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      showUpload(form, 0, "Starting the upload…");
      const issued = await requestUpload(form, file);
      await sendFile(form, file, issued.uploadUrl);
      showUpload(form, 100, "Uploaded. Starting the import…");
      form.elements.upload_key.value = issued.uploadKey;
      form.elements.file.disabled = true;
      form.submit();
    } catch (error) {
      showUpload(form, null, error.message);
      button.disabled = false;
    }
  });
}

document.querySelectorAll("[data-upload]").forEach(watchUploadForm);
