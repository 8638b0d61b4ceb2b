// nodeswan's native surface: the socket calls Node.js lacks, nothing else.
//
//   netlinkOpen(protocol, rcvbufBytes) -> [fd, portid]
//   netlinkSend(fd, buffer)            -> bytes sent
//   netlinkWatch(fd, callback)         -> callback(err | null, buffer) whenever
//                                         datagrams arrive (all pending ones,
//                                         concatenated: netlink messages never
//                                         straddle datagrams)
//   netlinkClose(fd)
//   setsockopt(fd, level, name, int | Buffer)
//
// All message encoding and every constant beyond the socket API live in
// TypeScript (src/kernel/). Errors carry `code` = errno name and `errno`.
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <stdio.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define RECV_CHUNK (64 * 1024)
#define RECV_BATCH_LIMIT (1024 * 1024)

static const char *errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOSPC: return "ENOSPC";
    case ENOTSOCK: return "ENOTSOCK";
    case EMSGSIZE: return "EMSGSIZE";
    case EPROTOTYPE: return "EPROTOTYPE";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE";
    case ENOBUFS: return "ENOBUFS";
    case ECONNREFUSED: return "ECONNREFUSED";
    default: return "EUNKNOWN";
  }
}

static napi_value make_errno_error(napi_env env, const char *what, int e) {
  char text[160];
  snprintf(text, sizeof text, "%s: %s (%s)", what, strerror(e), errno_name(e));
  napi_value msg, code, err, num;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, errno_name(e), NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &err);
  napi_create_int32(env, e, &num);
  napi_set_named_property(env, err, "errno", num);
  return err;
}

static napi_value throw_errno(napi_env env, const char *what, int e) {
  napi_throw(env, make_errno_error(env, what, e));
  return NULL;
}

static int get_int_arg(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

// ---- netlinkOpen ---------------------------------------------------------

static napi_value netlink_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t protocol = 0, rcvbuf = 0;
  if (argc < 2 || !get_int_arg(env, argv[0], &protocol) || !get_int_arg(env, argv[1], &rcvbuf)) {
    napi_throw_type_error(env, NULL, "netlinkOpen(protocol, rcvbufBytes)");
    return NULL;
  }
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
  if (fd < 0) return throw_errno(env, "socket(AF_NETLINK)", errno);
  if (rcvbuf > 0) {
    // SO_RCVBUFFORCE passes the rmem_max cap when privileged; fall back.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "bind(AF_NETLINK)", e);
  }
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (connect(fd, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "connect(AF_NETLINK)", e);
  }
  socklen_t len = sizeof local;
  if (getsockname(fd, (struct sockaddr *)&local, &len) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "getsockname(AF_NETLINK)", e);
  }
  napi_value result, vfd, vpid;
  napi_create_array_with_length(env, 2, &result);
  napi_create_int32(env, fd, &vfd);
  napi_create_uint32(env, local.nl_pid, &vpid);
  napi_set_element(env, result, 0, vfd);
  napi_set_element(env, result, 1, vpid);
  return result;
}

// ---- netlinkSend ---------------------------------------------------------

static napi_value netlink_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  void *data;
  size_t length;
  if (argc < 2 || !get_int_arg(env, argv[0], &fd) ||
      napi_get_buffer_info(env, argv[1], &data, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "netlinkSend(fd, buffer)");
    return NULL;
  }
  ssize_t n;
  do {
    n = send(fd, data, length, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, "send(AF_NETLINK)", errno);
  napi_value out;
  napi_create_int64(env, n, &out);
  return out;
}

// ---- netlinkWatch / netlinkClose -----------------------------------------

typedef struct watcher {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  int fd;
  struct watcher *next;
} watcher_t;

typedef struct {
  watcher_t *watchers;
  char *batch;  // datagrams of one readable event
} addon_state_t;

static void deliver(watcher_t *w, napi_value err, napi_value buffer) {
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value cb, recv_this, args[2], ignored;
  napi_get_reference_value(env, w->callback, &cb);
  napi_get_undefined(env, &recv_this);
  napi_value null_value;
  napi_get_null(env, &null_value);
  args[0] = err ? err : null_value;
  args[1] = buffer ? buffer : null_value;
  napi_callback_scope cscope;
  napi_value resource;
  napi_create_object(env, &resource);
  napi_open_callback_scope(env, resource, w->async, &cscope);
  if (napi_call_function(env, recv_this, cb, 2, args, &ignored) == napi_pending_exception) {
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    napi_fatal_exception(env, exc);
  }
  napi_close_callback_scope(env, cscope);
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  watcher_t *w = (watcher_t *)handle->data;
  addon_state_t *st;
  napi_get_instance_data(w->env, (void **)&st);
  (void)events;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  int error = 0;
  if (status < 0) {
    // libuv reports POLLERR as UV_EBADF and stops the handle. For netlink
    // that is a pending socket error, typically ENOBUFS after the kernel
    // dropped messages: fetch (and clear) it, keep watching, and report it.
    int pending = 0;
    socklen_t len = sizeof pending;
    if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &pending, &len) < 0 || pending == 0 ||
        uv_poll_start(&w->poll, UV_READABLE, on_readable) != 0) {
      deliver(w, make_errno_error(w->env, "poll(AF_NETLINK)", -status), NULL);
      napi_close_handle_scope(w->env, scope);
      return;
    }
    error = pending;
  }
  size_t total = 0;
  while (total + RECV_CHUNK <= RECV_BATCH_LIMIT) {
    ssize_t n = recv(w->fd, st->batch + total, RECV_CHUNK, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        error = errno;
        // A pending error is returned once; the queued datagrams remain
        // and the (level-triggered) poll brings us back for them.
      }
      break;
    }
    if (n == 0) break;
    total += (size_t)n;
  }
  if (total > 0) {
    napi_value buffer;
    void *copy;
    napi_create_buffer_copy(w->env, total, st->batch, &copy, &buffer);
    deliver(w, NULL, buffer);
  }
  // A closed watcher (from inside the callback) must not be touched again.
  int still_open = 0;
  for (watcher_t *it = st->watchers; it; it = it->next)
    if (it == w) still_open = 1;
  if (error && still_open) deliver(w, make_errno_error(w->env, "recv(AF_NETLINK)", error), NULL);
  napi_close_handle_scope(w->env, scope);
}

static napi_value netlink_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  napi_valuetype t;
  if (argc < 2 || !get_int_arg(env, argv[0], &fd) || napi_typeof(env, argv[1], &t) != napi_ok ||
      t != napi_function) {
    napi_throw_type_error(env, NULL, "netlinkWatch(fd, callback)");
    return NULL;
  }
  addon_state_t *st;
  napi_get_instance_data(env, (void **)&st);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  watcher_t *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, "netlinkWatch", ENOMEM);
  w->env = env;
  w->fd = fd;
  napi_create_reference(env, argv[1], 1, &w->callback);
  napi_value name;
  napi_create_string_utf8(env, "nodeswan:netlink", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->async);
  int rc = uv_poll_init(loop, &w->poll, fd);
  if (rc == 0) rc = uv_poll_start(&w->poll, UV_READABLE, on_readable);
  if (rc != 0) {
    napi_delete_reference(env, w->callback);
    napi_async_destroy(env, w->async);
    free(w);
    return throw_errno(env, "uv_poll", -rc);
  }
  w->poll.data = w;
  w->next = st->watchers;
  st->watchers = w;
  return NULL;
}

static void free_watcher(uv_handle_t *handle) { free(handle->data); }

static napi_value netlink_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc < 1 || !get_int_arg(env, argv[0], &fd)) {
    napi_throw_type_error(env, NULL, "netlinkClose(fd)");
    return NULL;
  }
  addon_state_t *st;
  napi_get_instance_data(env, (void **)&st);
  for (watcher_t **pp = &st->watchers; *pp; pp = &(*pp)->next) {
    watcher_t *w = *pp;
    if (w->fd != fd) continue;
    *pp = w->next;
    uv_poll_stop(&w->poll);
    napi_delete_reference(env, w->callback);
    napi_async_destroy(env, w->async);
    uv_close((uv_handle_t *)&w->poll, free_watcher);
    break;
  }
  if (close(fd) < 0) return throw_errno(env, "close", errno);
  return NULL;
}

// ---- setsockopt -------------------------------------------------------------

static napi_value set_sockopt(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd, level, name;
  if (argc < 4 || !get_int_arg(env, argv[0], &fd) || !get_int_arg(env, argv[1], &level) ||
      !get_int_arg(env, argv[2], &name)) {
    napi_throw_type_error(env, NULL, "setsockopt(fd, level, name, int | Buffer)");
    return NULL;
  }
  int32_t int_value;
  void *data;
  size_t length;
  bool is_buffer = false;
  napi_is_buffer(env, argv[3], &is_buffer);
  if (is_buffer) {
    napi_get_buffer_info(env, argv[3], &data, &length);
  } else if (get_int_arg(env, argv[3], &int_value)) {
    data = &int_value;
    length = sizeof int_value;
  } else {
    napi_throw_type_error(env, NULL, "setsockopt value must be an integer or a Buffer");
    return NULL;
  }
  if (setsockopt(fd, level, name, data, (socklen_t)length) < 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

// ---- module ---------------------------------------------------------------

static void free_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  addon_state_t *st = data;
  free(st->batch);
  free(st);
}

NAPI_MODULE_INIT() {
  addon_state_t *st = calloc(1, sizeof *st);
  st->batch = malloc(RECV_BATCH_LIMIT);
  napi_set_instance_data(env, st, free_state, NULL);
  napi_property_descriptor props[] = {
      {"netlinkOpen", NULL, netlink_open, NULL, NULL, NULL, napi_default, NULL},
      {"netlinkSend", NULL, netlink_send, NULL, NULL, NULL, napi_default, NULL},
      {"netlinkWatch", NULL, netlink_watch, NULL, NULL, NULL, napi_default, NULL},
      {"netlinkClose", NULL, netlink_close, NULL, NULL, NULL, napi_default, NULL},
      {"setsockopt", NULL, set_sockopt, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
