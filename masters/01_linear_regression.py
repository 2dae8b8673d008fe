# %% [markdown]
# # 01 · Linear regression: data, model, loss, optimiser
#
# Every supervised deep-learning project has the same four players:
#
# | player | in this notebook |
# | --- | --- |
# | **data** | noisy measurements of a straight line |
# | **model** | $\hat y = w x + b$, a single artificial neuron |
# | **loss** | the mean squared error $L = \frac1N\sum_i(\hat y_i - y_i)^2$ |
# | **optimiser** | the rule that changes $w$ and $b$ to lower $L$ |
#
# We fit the same line with scikit-learn's exact solver and with a one-neuron
# Keras model, then open the box: where the gradient comes from (by hand, and
# by automatic differentiation), gradient descent written out in NumPy, and
# the optimisers deep learning uses instead (momentum, RMSProp, Adam), all on
# the same loss surface, so that nothing about "training" stays magic.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from sklearn.linear_model import LinearRegression

from bootcamp import plots
from bootcamp.checks import floor, record

# %% [markdown]
# ## The data
#
# A straight line with slope 0.3, plus noise drawn uniformly between 0 and 0.5,
# so the true intercept is the noise's mean, $b = 0.25$. Three sets come from
# the same process, each with its own job:
#
# * **training** points, to fit the models;
# * **validation** points, to compare the models and choose one;
# * **test** points, kept aside until the very end, to report how the chosen
#   model does on data that played no part in any decision.

# %% tags=["split"]
rng = np.random.default_rng(seed=0)
slope_true, noise_width = 0.3, 0.5


def noisy_line(n):
    x = 10 * rng.random((n, 1))
    return x, slope_true * x + noise_width * rng.random((n, 1))


x_train, y_train = noisy_line(50)
x_val, y_val = noisy_line(200)
x_test, y_test = noisy_line(200)
print(f"{len(x_train)} training, {len(x_val)} validation, {len(x_test)} test points")

# %%
x_line = np.linspace(0, 10, 100).reshape(-1, 1)
plots.fit_plot(x_train, y_train, {}, title="Training data: a noisy line", points_label="training points");

# %% [markdown]
# ## 1. scikit-learn: the exact answer
#
# For a linear model and a squared-error loss, the best parameters have a
# closed form (least squares). `LinearRegression` computes it directly: no
# iterations, no learning rate.

# %%
sk_model = LinearRegression().fit(x_train, y_train)
print(f"scikit-learn: w = {sk_model.coef_[0, 0]:.4f}, b = {sk_model.intercept_[0]:.4f}")

# %% [markdown]
# ## 2. Keras: the same line as one neuron
#
# A `Dense(1)` layer with one input *is* the line $w x + b$. Keras finds $w$ and
# $b$ iteratively: it starts from random values and lets an optimiser (Adam)
# step downhill on the loss, one mini-batch of 32 points at a time. One pass
# over the training set is an **epoch**.
#
# Building the model and training it are separate steps: first the cell that
# *builds* (architecture, loss, optimiser), then the one that *runs*.

# %%
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1, name="neuron")])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mse")
model.summary()

# %%
epochs = bootcamp.choose(full=300, quick=100)
history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
w_keras, b_keras = (float(v.ravel()[0]) for v in model.get_layer("neuron").get_weights())
print(f"Keras after {epochs} epochs: w = {w_keras:.4f}, b = {b_keras:.4f}")

# %%
fig, (ax_fit, ax_loss) = plt.subplots(1, 2, figsize=(12, 4))
plots.fit_plot(x_train, y_train, {
    "scikit-learn (exact)": (x_line, sk_model.predict(x_line)),
    "Keras (Adam)": (x_line, model.predict(x_line, verbose=0)),
}, title="Two fits of the same data", ax=ax_fit)
plots.loss_curves({"one neuron": history.history}, title="Keras training loss", ax=ax_loss);

# %% [markdown]
# ### Training versus inference
#
# **Training** changed the weights, thousands of small steps guided by the
# loss and its gradient. **Inference** uses the finished model: the weights
# are frozen and a prediction is one cheap evaluation, `model.predict(x)` for
# many inputs or `model(x)` inside your own code. Training is where the
# computer time goes; inference is what a trained model is for.
#
# ### Which model? Ask the validation set
#
# Both models are compared on the validation points, which neither saw
# while fitting. How low can an error go? Even the *true* line
# $0.3x + 0.25$ misses each point by its noise, whose variance is
# $\sigma^2 = 0.5^2/12$ for uniform noise of width 0.5. That is the
# **expected** noise floor: the average MSE of the best possible line over
# many fresh data sets. On one particular set, the noise drawn may happen to
# be smaller than average, so the true line, and a fitted line with it, can
# score *below* $\sigma^2$ there. The cell prints both, and how far the true
# line's score strays from $\sigma^2$ from one set of points to the next.

# %%
noise_floor = noise_width**2 / 12            # variance of uniform noise: the expected MSE of the true line
mse_true_val = float(np.mean((slope_true * x_val + noise_width / 2 - y_val) ** 2))
# 10,000 fresh sets of as many points, noise only: the true line's MSE on each
fresh_noise = noise_width * np.random.default_rng(seed=1).random((10_000, len(x_val))) - noise_width / 2
low, high = np.percentile(np.mean(fresh_noise**2, axis=1), [5, 95])
print(f"expected noise floor sigma^2          : {noise_floor:.4f}")
print(f"true line on these validation points  : {mse_true_val:.4f}")
print(f"true line on fresh sets (90% of them) : {low:.4f} to {high:.4f}")

candidates = {"scikit-learn": sk_model.predict, "Keras": lambda x: model.predict(x, verbose=0)}
mse_val = {name: float(np.mean((predict(x_val) - y_val) ** 2)) for name, predict in candidates.items()}
for name, mse in mse_val.items():
    print(f"{name:>12} validation MSE        : {mse:.4f}")
chosen = min(mse_val, key=mse_val.get)
print(f"chosen on validation: {chosen}")

# %% [markdown]
# No line beats $\sigma^2$ *on average*; on one sample a good line can, by
# the luck of the draw. If a fitted line ever scores below the true line on
# some set, that is the same luck (the fit happened to lean towards that
# set's noise), not a better model. Luck of this kind is also why a choice
# made on one set looks a little better there than it will on new data, and
# why the test set, untouched until the end, gives the honest final number.

# %% [markdown]
# ## 3. Gradients: by hand and by automatic differentiation
#
# Adam, like every optimiser, needs the **gradient** of the loss: how
# steeply, and in which direction, $L$ rises when $w$ or $b$ change. For the
# line the chain rule gives it in one line each: the square brings down a
# factor 2, and the inner derivative of $w x_i + b$ is $x_i$ for $w$ and 1 for
# $b$:
#
# $$\frac{\partial L}{\partial w} = \frac2N\sum_i (w x_i + b - y_i)\,x_i, \qquad
#   \frac{\partial L}{\partial b} = \frac2N\sum_i (w x_i + b - y_i).$$
#
# TensorFlow computes the same numbers without being told the formula:
# `tf.GradientTape` records the operations that produce the loss and then
# differentiates them, step by step, backwards. This is **automatic
# differentiation**. Let us check our algebra against it at one point.

# %%
def line_gradient(w, b, x, y):
    """dL/dw and dL/db of the MSE of the line y ~ w*x + b, by the formulas above."""
    residual = w * np.ravel(x) + b - np.ravel(y)
    return 2 * np.mean(residual * np.ravel(x)), 2 * np.mean(residual)


w_at, b_at = 0.7, -1.2                                     # any point (w, b) will do
w_var, b_var = tf.Variable(w_at, dtype="float64"), tf.Variable(b_at, dtype="float64")
with tf.GradientTape() as tape:                            # record ...
    loss = tf.reduce_mean((w_var * x_train + b_var - y_train) ** 2)
tape_w, tape_b = tape.gradient(loss, [w_var, b_var])       # ... and differentiate backwards
hand_w, hand_b = line_gradient(w_at, b_at, x_train, y_train)
print(f"by hand      : dL/dw = {hand_w:.8f}, dL/db = {hand_b:.8f}")
print(f"GradientTape : dL/dw = {float(tape_w):.8f}, dL/db = {float(tape_b):.8f}")

# %% [markdown]
# ## Exercise 1: the bottom of the bowl
#
# At the minimum the loss is flat: both partial derivatives are zero. Set the
# two formulas above to zero and drop the factor $2/N$; what is left are two
# equations that are *linear* in $w$ and $b$:
#
# $$\sum_i (w x_i + b - y_i)\,x_i = 0, \qquad \sum_i (w x_i + b - y_i) = 0.$$
#
# Write them as a 2 x 2 system $A \begin{pmatrix} w \\ b\end{pmatrix} = c$,
# solve it with `np.linalg.solve(A, c)`, and store the answer in `slope_cf`
# and `intercept_cf`. This is the closed form scikit-learn computed (for many
# inputs, the same equations in matrix form are the *normal equations*).

# %% tags=["exercise"]
# TODO: build A and c from x_train and y_train, solve for the slope and intercept
# BEGIN SOLUTION
xs, ys = x_train.ravel(), y_train.ravel()
A = np.array([[np.sum(xs * xs), np.sum(xs)],
              [np.sum(xs), len(xs)]])
c = np.array([np.sum(xs * ys), np.sum(ys)])
slope_cf, intercept_cf = np.linalg.solve(A, c)
print(f"closed form: w = {slope_cf:.4f}, b = {intercept_cf:.4f}")
# END SOLUTION
# BEGIN STARTER
slope_cf = None
intercept_cf = None
# END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import linreg

linreg.closed_form(slope_cf, intercept_cf, x_train, y_train)

# %% [markdown]
# ### Back-propagation: the chain rule, organised
#
# A deep network is a long chain of simple steps with millions of
# parameters, and no closed form. Deriving each gradient by hand is out of
# the question, and differentiating each parameter on its own would redo the
# same products of derivatives over and over. **Back-propagation** organises
# the chain rule so that nothing is computed twice:
#
# 1. a **forward pass** computes the loss and *keeps* every intermediate
#    value (here $z_i = w x_i + b$ and the residual $r_i = z_i - y_i$);
# 2. a **backward pass** starts from $\partial L/\partial L = 1$ and walks
#    the chain in reverse; at each step it multiplies the derivative arriving
#    from above by that step's local derivative and hands the product on
#    (here $\partial L/\partial r_i = 2r_i/N$, then $\partial L/\partial z_i$
#    is the same since $r_i = z_i - y_i$, then $\partial L/\partial w =
#    \sum_i \partial L/\partial z_i \cdot x_i$).
#
# All gradients then cost a small multiple of one forward pass, however many
# parameters there are. That is what `tape.gradient` did above, and what
# Keras's `fit` does at every step.

# %% [markdown]
# ## Exercise 2: back-propagate through one more layer
#
# Lesson 02's networks put an **activation function** between layers. Take
# the smallest such network, one neuron with a $\tanh$ activation and an
# output weight $v$:
#
# $$\hat y_i = v \tanh(w x_i + b), \qquad L = \frac1N\sum_i (\hat y_i - y_i)^2.$$
#
# Complete `neuron_gradient` so that it returns
# $(\partial L/\partial w, \partial L/\partial b, \partial L/\partial v)$ by
# back-propagation: a forward pass that keeps $z = wx + b$, $h = \tanh z$ and
# the residual, then a backward pass, one local derivative per step. You need
# $\frac{d}{dz}\tanh z = 1 - \tanh^2 z$. The self-check compares your numbers
# with `tf.GradientTape`'s at a few random points.

# %% tags=["exercise"]
def neuron_gradient(w, b, v, x, y):
    """dL/dw, dL/db, dL/dv of L = mean((v * tanh(w*x + b) - y)**2), by back-propagation."""
    # TODO: forward pass (keep z, h and the residual), then the backward pass
    # BEGIN SOLUTION
    z = w * x + b
    h = np.tanh(z)
    residual = v * h - y
    dL_dyhat = 2 * residual / residual.size      # from the loss to each prediction
    dL_dv = np.sum(dL_dyhat * h)                  # y_hat = v * h
    dL_dz = dL_dyhat * v * (1 - h**2)             # through v, then through tanh
    return np.sum(dL_dz * x), np.sum(dL_dz), dL_dv
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("write the forward and the backward pass")
    # END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import linreg

linreg.neuron_gradient(neuron_gradient)

# %% [markdown]
# ## 4. Gradient descent by hand
#
# What did Adam do with the gradient? Its plainer cousin, **gradient
# descent**, takes a step against it, since the gradient points uphill:
#
# $$w \leftarrow w - \eta\,\frac{\partial L}{\partial w}, \qquad
#   b \leftarrow b - \eta\,\frac{\partial L}{\partial b}.$$
#
# The step size $\eta$ is the **learning rate**.

# %%
def gradient_descent(x, y, *, lr, steps, w=0.0, b=0.0):
    """Fit y ~ w*x + b by gradient descent; return the path of w, b and loss."""
    path = {"w": [w], "b": [b], "loss": []}
    for _ in range(steps):
        loss = np.mean((w * np.ravel(x) + b - np.ravel(y)) ** 2)
        path["loss"].append(loss)
        if not np.isfinite(loss) or loss > 1e12:  # diverged: stop, keep the path so far
            break
        grad_w, grad_b = line_gradient(w, b, x, y)
        w, b = w - lr * grad_w, b - lr * grad_b
        path["w"].append(w)
        path["b"].append(b)
    return {key: np.asarray(values) for key, values in path.items()}

# %% [markdown]
# ### The effect of the learning rate
#
# Three runs from the same start: too small crawls, a good one gets there,
# slightly too large overshoots further at every step and **diverges**.

# %%
steps = bootcamp.choose(full=400, quick=200)
rates = {"too small (0.001)": 0.001, "good (0.02)": 0.02, "too large (0.03)": 0.03}
with np.errstate(over="ignore", invalid="ignore"):
    paths = {label: gradient_descent(x_train, y_train, lr=lr, steps=steps) for label, lr in rates.items()}
for label, path in paths.items():
    print(f"{label:>18}: final loss {path['loss'][-1]:.3g} after {len(path['loss'])} steps")

# %%
w_grid, b_grid = np.meshgrid(np.linspace(-0.2, 0.8, 201), np.linspace(-1.5, 2.0, 201))
surface = np.mean((w_grid[..., None] * x_train.ravel() + b_grid[..., None] - y_train.ravel()) ** 2, axis=-1)


def draw_surface(ax, title, xlim=(-0.2, 0.8), ylim=(-1.5, 2.0)):
    """Contours of the training loss L(w, b), with the exact minimum as a star."""
    contours = ax.contour(w_grid, b_grid, surface, levels=np.geomspace(0.02, 40, 15), cmap="viridis")
    ax.clabel(contours, fontsize=7, fmt="%.2g")
    ax.plot(sk_model.coef_[0, 0], sk_model.intercept_[0], "k*", markersize=12, label="exact minimum")
    ax.set(xlim=xlim, ylim=ylim, xlabel="slope w", ylabel="intercept b", title=title)


fig, (ax_surf, ax_loss) = plt.subplots(1, 2, figsize=(13, 4.5))
draw_surface(ax_surf, "Loss surface L(w, b) and gradient-descent paths")
for label, path in paths.items():
    diverged = path["loss"][-1] > path["loss"][0]
    shown = 6 if diverged else 60                    # a diverging path leaves the picture fast
    ax_surf.plot(path["w"][:shown], path["b"][:shown], ".-", markersize=4,
                 linewidth=0.8 if diverged else 1.5, label=f"{label}, first {shown} steps")
ax_surf.legend(fontsize="small")
for label, path in paths.items():
    ax_loss.semilogy(path["loss"], label=label)
ax_loss.set(xlabel="step", ylabel="MSE (log scale)", title="Loss per step", ylim=(1e-2, 1e4))
ax_loss.legend(fontsize="small");

# %% [markdown]
# The surface is a long, narrow valley: steep across (the slope $w$ multiplies
# $x$ values up to 10) and nearly flat along its floor (mostly the intercept).
# The learning rate must be small enough not to bounce out of the steep
# direction, which makes progress along the flat one slow.
#
# ### Where exactly is the limit?
#
# Along any one direction through the minimum this loss is a parabola,
# $L = L_{\min} + \tfrac{\lambda}{2}d^2$, where $d$ is the distance from the
# minimum along that direction and $\lambda$ its curvature (second
# derivative). A gradient step turns $d$ into $d - \eta\lambda d =
# (1 - \eta\lambda)\,d$. The error shrinks only while $|1 - \eta\lambda| < 1$,
# that is $\eta < 2/\lambda$: between $1/\lambda$ and $2/\lambda$ each step
# overshoots the minimum but lands closer; beyond $2/\lambda$ it lands
# further away, and the zigzag grows. The valley's steep and flat directions
# have as curvatures the two eigenvalues of the **Hessian**, the matrix of
# second derivatives
#
# $$H = \begin{pmatrix} \partial^2 L/\partial w^2 & \partial^2 L/\partial w\,\partial b \\
#                       \partial^2 L/\partial b\,\partial w & \partial^2 L/\partial b^2 \end{pmatrix}.$$
#
# ## Exercise 3: the largest stable learning rate
#
# Differentiate the two gradient formulas of section 3 once more to fill in
# $H$ (it does not depend on $w$ or $b$: this loss is an exact bowl). Take its
# largest eigenvalue with `np.linalg.eigvalsh(H)` and set `lr_max` to the
# largest learning rate for which gradient descent still converges. Then
# check your prediction: run `gradient_descent(x_train, y_train, lr=...,
# steps=300)` just below and just above `lr_max`.

# %% tags=["exercise"]
# TODO: build the Hessian H from x_train, then set lr_max from its largest eigenvalue
# BEGIN SOLUTION
xs = x_train.ravel()
H = np.array([[2 * np.mean(xs * xs), 2 * np.mean(xs)],
              [2 * np.mean(xs), 2.0]])
lr_max = 2 / np.linalg.eigvalsh(H).max()
with np.errstate(over="ignore", invalid="ignore"):
    for factor in (0.99, 1.01):
        trial = gradient_descent(x_train, y_train, lr=factor * lr_max, steps=300)["loss"]
        print(f"lr = {factor} x lr_max = {factor * lr_max:.5f}: loss {trial[0]:.3g} -> {trial[-1]:.3g}")
# END SOLUTION
# BEGIN STARTER
lr_max = None
# END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import linreg

linreg.largest_learning_rate(lr_max, gradient_descent, x_train, y_train)

# %% [markdown]
# One learning rate for both parameters, capped by the steep direction,
# leaves the flat direction to crawl. Rescaling the inputs (lesson 03
# normalises pixels) makes the bowl rounder; the optimisers below attack the
# problem from the other side.
#
# ## 5. Optimisers: better steps on the same surface
#
# The optimisers of deep learning differ only in how they turn gradients
# into steps:
#
# * **SGD** (stochastic gradient descent): the step above, $-\eta\nabla L$.
#   "Stochastic" because in deep learning the gradient comes from a
#   mini-batch; here we use all training points, to see the rules alone.
# * **Momentum**: a heavy ball rolling downhill. A *velocity* keeps a
#   fraction $\beta$ of its previous value and adds the new push
#   $-\eta\nabla L$; the parameters move by the velocity. Along the valley
#   floor the pushes agree and add up; across the steep walls they alternate
#   and cancel.
# * **RMSProp**: divides each parameter's gradient by the root of a running
#   average of its recent squares, so every parameter moves by roughly
#   $\eta$ per step, whether its slope is steep or flat.
# * **Adam**: both ideas at once, a running average of the gradients (like
#   momentum) divided by the root of a running average of their squares
#   (like RMSProp), each corrected for starting at zero.
#
# Each is a *step rule*: given the parameters, the gradient, the rule's
# memory (a dictionary, empty at the start) and the learning rate, it returns
# the new parameters and memory. `descend` runs any rule on our loss.

# %%
def descend(step, *, lr, steps, start=(0.7, -1.2)):
    """Run a step rule on the training loss from `start`; return the path of (w, b) and the loss."""
    params, state = np.array(start, dtype=float), {}
    path = [params]
    for _ in range(steps):
        grad = np.array(line_gradient(params[0], params[1], x_train, y_train))
        params, state = step(params, grad, state, lr)
        path.append(np.asarray(params, dtype=float))
    path = np.array(path)
    loss = np.mean((path[:, :1] * x_train.ravel() + path[:, 1:] - y_train.ravel()) ** 2, axis=1)
    return {"path": path, "loss": loss}


def sgd_step(params, grad, state, lr):
    return params - lr * grad, state

# %% [markdown]
# ## Exercise 4: momentum
#
# Write `momentum_step`, SGD with momentum as Keras's
# `keras.optimizers.SGD(learning_rate=lr, momentum=beta)` does it: keep the
# velocity in `state` (it starts at zero: `state.get("velocity", 0.0)`),
# update it as described above, move the parameters by it, and return both.
# The self-check follows your rule for a few dozen steps on our loss.

# %% tags=["exercise"]
def momentum_step(params, grad, state, lr, beta=0.9):
    """One step of gradient descent with momentum; return (new params, new state)."""
    # TODO: update the velocity kept in state, then move params by it
    # BEGIN SOLUTION
    velocity = beta * state.get("velocity", 0.0) - lr * grad
    return params + velocity, {"velocity": velocity}
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("keep a velocity in state and move params by it")
    # END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import linreg

linreg.momentum(momentum_step, x_train, y_train)

# %% [markdown]
# RMSProp and Adam, written the way Keras computes them (its defaults for
# $\rho$, $\beta_1$, $\beta_2$ and the small $\epsilon$ that avoids a division
# by zero):

# %%
def rmsprop_step(params, grad, state, lr, rho=0.9, eps=1e-7):
    mean_square = rho * state.get("mean_square", 0.0) + (1 - rho) * grad**2
    return params - lr * grad / np.sqrt(mean_square + eps), {"mean_square": mean_square}


def adam_step(params, grad, state, lr, beta1=0.9, beta2=0.999, eps=1e-7):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0.0) + (1 - beta1) * grad          # running average of gradients
    v = beta2 * state.get("v", 0.0) + (1 - beta2) * grad**2       # ... and of their squares
    step_size = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)       # both averages started at zero: correct for it
    return params - step_size * m / (np.sqrt(v) + eps), {"t": t, "m": m, "v": v}

# %% [markdown]
# Are these really Keras's optimisers? The cell below lets Keras take the
# same first steps, in a training loop written out: record the loss on a
# tape, ask it for the gradient, hand the gradient to the optimiser. That
# loop is what `fit` runs at every mini-batch.

# %%
def keras_path(optimizer, steps, start=(0.7, -1.2)):
    """The path of (w, b) when a Keras optimiser minimises the training loss."""
    w, b = tf.Variable(start[0], dtype="float64"), tf.Variable(start[1], dtype="float64")
    path = [np.array(start)]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w * x_train + b - y_train) ** 2)
        optimizer.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
        path.append(np.array([w.numpy(), b.numpy()]))
    return np.array(path)


# (the paths agree to about float32 rounding: Keras keeps the learning rate and some constants in 32 bits)
for name, ours, theirs, lr in [("RMSProp", rmsprop_step, keras.optimizers.RMSprop, 0.05),
                               ("Adam", adam_step, keras.optimizers.Adam, 0.05)]:
    gap = np.abs(descend(ours, lr=lr, steps=5)["path"] - keras_path(theirs(learning_rate=lr), steps=5)).max()
    print(f"{name}: largest difference from Keras's path over 5 steps: {gap:.1e}")

# %% [markdown]
# ### The race
#
# All four rules start from the same point, far up the valley, and take the
# same number of steps. Each has a learning rate picked by hand for this
# surface; other rates would give another race. (If Exercise 4 is not done
# yet, momentum sits this one out.)

# %%
race = {"SGD": (sgd_step, 0.02), "momentum": (momentum_step, 0.01),
        "RMSProp": (rmsprop_step, 0.05), "Adam": (adam_step, 0.05)}
runs = {}
for name, (step, lr) in race.items():
    try:
        runs[name] = descend(step, lr=lr, steps=100)
    except NotImplementedError:
        print(f"{name}: not written yet (Exercise 4), so it sits out the race")
loss_exact = float(np.mean((sk_model.predict(x_train) - y_train) ** 2))
for name, run in runs.items():
    print(f"{name:>8} (lr {race[name][1]}): training loss {run['loss'][-1]:.4f} after {len(run['loss']) - 1} steps")
print(f"   exact minimum     : training loss {loss_exact:.4f}")

# %%
fig, (ax_surf, ax_loss) = plt.subplots(1, 2, figsize=(13, 4.5))
draw_surface(ax_surf, "Four optimisers on the same loss surface (zoomed in)", xlim=(0.15, 0.8), ylim=(-1.5, 0.8))
for name, run in runs.items():
    ax_surf.plot(run["path"][:, 0], run["path"][:, 1], ".-", markersize=3, linewidth=1, label=name)
    ax_loss.semilogy(run["loss"] - loss_exact, label=name)
ax_surf.legend(fontsize="small")
ax_loss.set(xlabel="step", ylabel="training loss above the minimum (log scale)", title="Distance to the minimum")
ax_loss.legend(fontsize="small");

# %% [markdown]
# Read the paths against the valley. SGD, held back by the steep walls,
# crawls along the floor. Momentum gathers speed along the floor and swings
# across it, overshooting before it settles. RMSProp and Adam rescale each
# parameter's step, so the flat direction no longer crawls: they travel down
# the valley at a steady pace set by $\eta$. With a constant learning rate
# RMSProp then keeps hopping around the minimum, while Adam's averaged
# gradient lets it settle (in practice the learning rate is also lowered as
# training goes on). On this
# small bowl every rule gets there in the end; on the rugged surfaces of deep
# networks the differences matter more. Adam is the usual first choice; the
# Adam that fitted our neuron in section 2 followed the rule of `adam_step`,
# with gradients from mini-batches.

# %% [markdown]
# ## Did it learn?
#
# The learning floors, all on training and validation data: the Keras neuron
# must land close to the exact solution, and Adam must reach the bottom of
# the bowl in the race.

# %%
floor("Keras slope error", abs(w_keras - sk_model.coef_[0, 0]), at_most=0.02)
floor("Keras validation MSE / scikit-learn's", mse_val["Keras"] / mse_val["scikit-learn"], at_most=1.05)
floor("Adam's final training loss / exact minimum", runs["Adam"]["loss"][-1] / loss_exact, at_most=1.01)

# %% [markdown]
# ## The test set, once
#
# Every choice is made. The model chosen on validation data now meets the
# test set, once; its score is what we report, and nothing is changed after
# seeing it. The true line on the same points shows this sample's own noise
# floor.

# %% tags=["final"]
mse_test = float(np.mean((candidates[chosen](x_test) - y_test) ** 2))
mse_true_test = float(np.mean((slope_true * x_test + noise_width / 2 - y_test) ** 2))
print(f"{chosen} (chosen on validation), test MSE: {mse_test:.4f}")
print(f"the true line on the same test points : {mse_true_test:.4f} (expected floor {noise_floor:.4f})")
record("true line's test MSE", mse_true_test)
floor("chosen model's test MSE", mse_test, at_most=1.25 * noise_floor)

# %% [markdown]
# ## What to remember
#
# * Data, model, loss, optimiser: every later notebook has the same four parts.
# * Compare and choose on validation data; score the test set once, at the
#   end. A noise floor is an expectation: one sample can land below it.
# * A closed form exists only for the simplest models; neural networks are
#   trained iteratively, by some variant of gradient descent, with gradients
#   from back-propagation (`tf.GradientTape` in TensorFlow).
# * The learning rate is the first knob to check when training misbehaves:
#   too small wastes time, too large diverges, and the steepest direction of
#   the loss sets the limit.
# * Momentum, RMSProp and Adam reuse past gradients to take better steps
#   than plain gradient descent in long, narrow valleys.
