// A stand-in for exactly the part of Stripe.js's documented surface that
// Vetrina's checkout uses (src/pay/stripe-pay.js), for offline browser tests:
// js.stripe.com cannot be reached from the test machine. Served by the
// stand-in for Stripe's API at /v3/, it talks to that same stand-in.
//
//   Stripe(publishableKey, {locale})
//   stripe.elements({mode: 'payment', amount, currency, appearance})
//   elements.create('payment' | 'expressCheckout', options) -> element
//   element.mount(selector), element.on('ready' | 'change' | 'confirm', fn), element.destroy()
//   elements.submit(), elements.update({amount})
//   stripe.createConfirmationToken({elements, params}) -> {confirmationToken} | {error}
//   stripe.handleNextAction({clientSecret}) -> {paymentIntent} | {error}
//
// The Payment Element is a list of Stripe's test cards; the Express Checkout
// Element one "Link" button whose wallet gives a name, an email and a
// shipping address; 3-D Secure is a dialog with "Complete" and "Fail", as
// Stripe's test challenge page has.
(() => {
  const API = new URL(document.currentScript.src).origin;
  const CARDS = [
    ['pm_card_visa', 'Visa •••• 4242 (succeeds)'],
    ['pm_card_threeDSecure2Required', 'Visa •••• 3184 (3-D Secure)'],
    ['pm_card_chargeDeclined', 'Visa •••• 0002 (declined)'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'Visa •••• 9995 (insufficient funds)'],
  ];

  window.Stripe = function Stripe(publishableKey) {
    const post = async (path, params) => {
      const r = await fetch(API + path, {
        method: 'POST',
        headers: { authorization: 'Bearer ' + publishableKey, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params),
      });
      const body = await r.json();
      if (!r.ok) throw body.error || { message: 'HTTP ' + r.status };
      return body;
    };

    function element(type, options) {
      const handlers = {};
      const fire = (name, event) => (handlers[name] || []).forEach((f) => f(event));
      let node = null;
      const el = {
        type,
        chosen: null,
        on(name, f) {
          (handlers[name] = handlers[name] || []).push(f);
          return el;
        },
        mount(selector) {
          const host = document.querySelector(selector);
          node = document.createElement('div');
          node.dataset.stripeStandin = type;
          if (type === 'payment') {
            const select = document.createElement('select');
            select.setAttribute('aria-label', 'Card (Stripe test card)');
            select.style.cssText = 'width:100%;min-height:48px;font-size:16px';
            select.append(new Option('Choose a test card', ''));
            for (const [pm, label] of CARDS) select.append(new Option(label, pm));
            select.onchange = () => {
              el.chosen = select.value || null;
              fire('change', { complete: !!el.chosen });
            };
            node.append(select);
          } else {
            const b = document.createElement('button');
            b.type = 'button';
            b.textContent = 'Pay with Link';
            b.style.cssText = 'width:100%;min-height:' + ((options && options.buttonHeight) || 44) + 'px;border:0;border-radius:8px;background:#00d66f;color:#011e0f;font:600 16px system-ui';
            b.onclick = () => {
              el.chosen = 'pm_card_visa';
              fire('confirm', {
                expressPaymentType: 'link',
                billingDetails: { name: 'Ada Lovelace', email: 'ada@example.com' },
                shippingAddress: { name: 'Ada Lovelace', address: { line1: '1 Via Roma', line2: '', city: 'Milano', postal_code: '20121', country: 'IT' } },
              });
            };
            node.append(b);
          }
          host.append(node);
          setTimeout(() => fire('ready', type === 'payment' ? {} : { availablePaymentMethods: { link: true } }), 50);
        },
        destroy() {
          if (node) node.remove();
        },
      };
      return el;
    }

    return {
      elements(options) {
        const made = [];
        return {
          made,
          create(type, o) {
            const e = element(type, o);
            made.push(e);
            return e;
          },
          async submit() {
            if (!made.some((e) => e.chosen)) return { error: { type: 'validation_error', message: 'Choose a test card.' } };
            return {};
          },
          update(u) {
            Object.assign(options, u);
          },
        };
      },
      async createConfirmationToken({ elements }) {
        // The wallet's choice if the wallet was used last, else the card's.
        const e = [...elements.made].reverse().find((x) => x.chosen);
        if (!e) return { error: { type: 'validation_error', message: 'Choose a test card.' } };
        const pm = e.chosen;
        if (e.type === 'expressCheckout') e.chosen = null;
        try {
          return { confirmationToken: await post('/v1/confirmation_tokens', { payment_method: pm }) };
        } catch (error) {
          return { error };
        }
      },
      handleNextAction({ clientSecret }) {
        const id = clientSecret.split('_secret_')[0];
        return new Promise((resolve) => {
          const dialog = document.createElement('dialog');
          dialog.setAttribute('aria-label', '3-D Secure test challenge');
          dialog.innerHTML =
            '<p>Stripe test 3-D Secure: complete or fail the authentication.</p>' +
            '<button type="button" value="succeed">Complete</button> <button type="button" value="fail">Fail</button>';
          dialog.onclick = async (ev) => {
            const result = ev.target && ev.target.value;
            if (!result) return;
            dialog.close();
            dialog.remove();
            const r = await fetch(API + '/_standin/payment_intents/' + id + '/authenticate?result=' + result, { method: 'POST' });
            const pi = await r.json();
            resolve(
              pi.status === 'succeeded'
                ? { paymentIntent: pi }
                : { error: { type: 'card_error', code: 'payment_intent_authentication_failure', message: 'We are unable to authenticate your payment method.' } },
            );
          };
          document.body.append(dialog);
          dialog.showModal();
        });
      },
    };
  };
})();
