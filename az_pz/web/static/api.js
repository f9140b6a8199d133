// JSON calls to the az-pz serve API. A refused request throws an Error carrying the server's message.

export async function call(method, path, body) {
  const options = { method, headers: { "Content-Type": "application/json" } };
  if (body !== undefined) options.body = JSON.stringify(body);
  const response = await fetch(path, options);
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    throw new Error(`${method} ${path}: the server answered ${response.status} without JSON`);
  }
  if (!response.ok) {
    const error = new Error(data && data.error ? data.error : `${method} ${path}: ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body ?? {});
